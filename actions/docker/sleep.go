// sleep: keeps its container busy for 5 s, so that a capacity test holds every instance at
// once. OpenWhisk Go action, kind go:1.20.
package main

import "time"

// Main sleeps "ms" milliseconds (default 5000).
func Main(args map[string]interface{}) map[string]interface{} {
	ms := 5000
	if v, ok := args["ms"].(float64); ok && v >= 0 {
		ms = int(v)
	}
	time.Sleep(time.Duration(ms) * time.Millisecond)
	return map[string]interface{}{"slept_ms": ms}
}

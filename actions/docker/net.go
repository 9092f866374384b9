// net: simulated IO load. Blocks for 300 ms, as a blocking network call would.
// OpenWhisk Go action, kind go:1.20.
package main

import "time"

// Main sleeps "ms" milliseconds (default 300).
func Main(args map[string]interface{}) map[string]interface{} {
	ms := 300
	if v, ok := args["ms"].(float64); ok && v >= 0 {
		ms = int(v)
	}
	time.Sleep(time.Duration(ms) * time.Millisecond)
	return map[string]interface{}{"slept_ms": ms}
}

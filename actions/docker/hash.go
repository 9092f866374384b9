// hash: CPU load. Hashes "input" with SHA-256, then feeds each digest back into the same
// hasher "iterations" times. OpenWhisk Go action, kind go:1.20.
package main

import (
	"crypto/sha256"
	"encoding/hex"
)

// Main takes "iterations" (a number, default 100000) and "input" (a string).
func Main(args map[string]interface{}) map[string]interface{} {
	iterations := 100000
	if n, ok := args["iterations"].(float64); ok && n >= 0 {
		iterations = int(n)
	}
	input, _ := args["input"].(string)

	h := sha256.New()
	h.Write([]byte(input))
	sum := h.Sum(nil)
	for i := 0; i < iterations; i++ {
		h.Write(sum)
		sum = h.Sum(nil)
	}
	return map[string]interface{}{
		"iterations": iterations,
		"hash":       hex.EncodeToString(sum),
	}
}

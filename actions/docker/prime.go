// prime: CPU load. Finds the n-th prime (default the 5000th) by trial division, with no
// library beyond Go's own. OpenWhisk Go action, kind go:1.20.
package main

func isPrime(n int) bool {
	if n <= 1 {
		return false
	}
	if n <= 3 {
		return true
	}
	if n%2 == 0 || n%3 == 0 {
		return false
	}
	for i := 5; i*i <= n; i += 6 {
		if n%i == 0 || n%(i+2) == 0 {
			return false
		}
	}
	return true
}

// Main takes "n" (a number, default 5000) and returns the n-th prime.
func Main(args map[string]interface{}) map[string]interface{} {
	n := 5000
	if v, ok := args["n"].(float64); ok && v >= 1 {
		n = int(v)
	}
	count, candidate := 0, 1
	for count < n {
		candidate++
		if isPrime(candidate) {
			count++
		}
	}
	return map[string]interface{}{"n": n, "prime": candidate}
}

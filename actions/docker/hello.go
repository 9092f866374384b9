// hello: answers a greeting at once (no load). OpenWhisk Go action, kind go:1.20.
package main

// Main greets the "name" parameter, or "there".
func Main(args map[string]interface{}) map[string]interface{} {
	name, ok := args["name"].(string)
	if !ok || name == "" {
		name = "there"
	}
	return map[string]interface{}{"msg": "Hello, " + name + "!!"}
}

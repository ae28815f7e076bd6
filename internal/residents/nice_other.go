//go:build !linux

package residents

// lowerPriority is a no-op where thread priorities are not set (see
// nice_linux.go).
func lowerPriority() {}

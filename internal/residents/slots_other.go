//go:build !linux

package residents

// allocSlots returns zeroed arrays of n keys and n values (see
// slots_linux.go).
func allocSlots(n int) ([]uint64, []int32, func()) {
	return make([]uint64, n), make([]int32, n), nil
}

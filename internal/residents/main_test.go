package residents_test

import (
	"os"
	"testing"

	"breachdesk/internal/residents"
)

// TestMain runs the package's tests and benchmarks with the scheduler set
// as the server and the CLI set it at start.
func TestMain(m *testing.M) {
	residents.ReserveFeederProcs()
	os.Exit(m.Run())
}

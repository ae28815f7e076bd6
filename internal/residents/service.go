// Package residents holds the people affected by a breach: reading CRM
// exports (encodings, column mapping), deciding each person's state or
// country of residence, de-duplication, field-level encryption under a
// per-case data key, the import lifecycle and the counts by jurisdiction
// the breach-law rules need. It knows nothing of HTTP.
package residents

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"breachdesk/internal/cases"
)

// Errors of the import lifecycle.
var (
	// ErrNotFound is the cases package's, so one check answers for all.
	ErrNotFound = cases.ErrNotFound
	// ErrBusy: another import of the case is queued, running or awaiting
	// review.
	ErrBusy = errors.New("another import of this case is still queued, running or awaiting review; finish or cancel it first")
	// ErrState: the import is not in a state that allows the action.
	ErrState = errors.New("the import cannot do that in its current state")
	// ErrTooLarge: the upload is over MaxUploadBytes.
	ErrTooLarge = errors.New("the file is larger than the 2 GB limit")
)

// MaxUploadBytes bounds one uploaded export.
const MaxUploadBytes = 2 << 30

// JobQueue enqueues the background run of an import inside the caller's
// transaction, so the import is queued if and only if its change commits.
type JobQueue interface {
	EnqueueImport(ctx context.Context, tx pgx.Tx, importID int64) error
}

// Service runs the residents side of cases.
type Service struct {
	pool     *pgxpool.Pool
	keys     *Keyring
	importer *Importer
	jobs     JobQueue
	// HomeCountry is what a blank country means (ISO alpha-2), "US" unless
	// set, when the organisation settings do not say.
	HomeCountry string
}

// NewService returns a Service. jobs may be nil for callers that run
// imports themselves (the CLI).
func NewService(pool *pgxpool.Pool, keys *Keyring, jobs JobQueue) *Service {
	return &Service{pool: pool, keys: keys, importer: NewImporter(pool, keys), jobs: jobs, HomeCountry: "US"}
}

// Counts returns the case's counts by jurisdiction; see CountsFor.
func (s *Service) Counts(ctx context.Context, caseID int64) (Counts, error) {
	return CountsFor(ctx, s.pool, caseID)
}

// Package jobs runs Breachdesk's background work on River, in the same
// Postgres as everything else: imports of CRM exports, and the daily purge
// of residents' personal data past the retention period. A job is
// enqueued in the transaction of the change it follows.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"breachdesk/internal/residents"
)

// ImportArgs asks for a queued import to run.
type ImportArgs struct {
	ImportID int64 `json:"import_id"`
}

// Kind names the job for River.
func (ImportArgs) Kind() string { return "residents_import" }

// RetentionArgs asks for the residents' personal data of cases closed
// longer than the retention period to be purged.
type RetentionArgs struct{}

// Kind names the job for River.
func (RetentionArgs) Kind() string { return "residents_retention" }

// Queue enqueues and works Breachdesk's jobs.
type Queue struct {
	client    *river.Client[pgx.Tx]
	residents *residents.Service
	logger    *slog.Logger
}

// New returns a Queue on pool working at most workers jobs at once. Call
// SetResidents, then Start.
func New(pool *pgxpool.Pool, logger *slog.Logger, workers int) (*Queue, error) {
	q := &Queue{logger: logger}
	w := river.NewWorkers()
	river.AddWorker(w, &importWorker{q: q})
	river.AddWorker(w, &retentionWorker{q: q})
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: workers}},
		Workers: w,
		Logger:  logger,
		// Imports of 2 GB files run long; they watch their own cancellation.
		JobTimeout:           -1,
		RescueStuckJobsAfter: 12 * time.Hour,
		// A failed import is recorded on its page and started again by a
		// person, not retried blindly.
		MaxAttempts: 1,
		// Daily, and once at start so a server that was down catches up.
		PeriodicJobs: []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return RetentionArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true})},
	})
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	q.client = client
	return q, nil
}

// SetResidents gives the queue the service its import jobs run on.
func (q *Queue) SetResidents(s *residents.Service) { q.residents = s }

// Start starts working jobs.
func (q *Queue) Start(ctx context.Context) error { return q.client.Start(ctx) }

// Stop waits for running jobs to finish until ctx ends, then cancels them
// (a cancelled import rolls back).
func (q *Queue) Stop(ctx context.Context) error {
	err := q.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return q.client.StopAndCancel(context.Background())
	}
	return err
}

// EnqueueImport implements residents.JobQueue.
func (q *Queue) EnqueueImport(ctx context.Context, tx pgx.Tx, importID int64) error {
	_, err := q.client.InsertTx(ctx, tx, ImportArgs{ImportID: importID}, nil)
	if err != nil {
		return fmt.Errorf("enqueue import: %w", err)
	}
	return nil
}

type importWorker struct {
	river.WorkerDefaults[ImportArgs]
	q *Queue
}

func (w *importWorker) Work(ctx context.Context, job *river.Job[ImportArgs]) error {
	res, err := w.q.residents.Execute(ctx, job.Args.ImportID, nil, nil)
	switch {
	case err == nil:
		w.q.logger.InfoContext(ctx, "import finished", "import_id", job.Args.ImportID, "committed", res.Committed,
			"rows", res.RowsRead, "imported", res.Imported, "bad", res.Bad, "duplicates", res.Duplicates)
	case errors.Is(err, residents.ErrState):
		// Cancelled before it started, or already run: nothing to do.
	case errors.Is(err, residents.ErrCancelled):
		w.q.logger.InfoContext(ctx, "import cancelled", "import_id", job.Args.ImportID)
	default:
		// The outcome is on the import's page; the detail goes to the log.
		w.q.logger.ErrorContext(ctx, "import failed", "import_id", job.Args.ImportID, "err", err)
	}
	return nil
}

type retentionWorker struct {
	river.WorkerDefaults[RetentionArgs]
	q *Queue
}

func (w *retentionWorker) Work(ctx context.Context, job *river.Job[RetentionArgs]) error {
	n, err := w.q.residents.PurgeExpired(ctx, time.Now())
	if err != nil {
		// Tomorrow's run tries again; the cases purged so far stay purged.
		w.q.logger.ErrorContext(ctx, "retention purge failed", "purged", n, "err", err)
		return nil
	}
	if n > 0 {
		w.q.logger.InfoContext(ctx, "retention purge", "cases", n)
	}
	return nil
}

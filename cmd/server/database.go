package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"breachdesk/internal/db"
)

// openDatabase connects to DATABASE_URL or, without it, to the private
// cluster under the data folder (started if it is not running), and applies
// the migrations. close closes the pool and stops the cluster if this call
// started it.
func openDatabase(ctx context.Context, cfg config, logger *slog.Logger) (pool *pgxpool.Pool, close func(), err error) {
	url := cfg.DatabaseURL
	var cluster *db.Cluster
	if url == "" {
		cluster, err = db.StartCluster(ctx, db.ClusterOptions{DataDir: cfg.DataDir, Account: cfg.PGAccount, Logger: logger})
		if err != nil {
			return nil, nil, err
		}
		url = cluster.URL()
	}
	stopCluster := func() {
		if err := cluster.Stop(); err != nil {
			logger.Error("stop database cluster", "err", err)
		}
	}
	pool, err = db.Open(ctx, url, cfg.DBWait, logger)
	if err != nil {
		stopCluster()
		return nil, nil, err
	}
	n, err := db.Migrate(ctx, pool)
	if err != nil {
		pool.Close()
		stopCluster()
		return nil, nil, fmt.Errorf("migrate: %w", err)
	}
	if n > 0 {
		logger.Info("migrations applied", "count", n)
	}
	return pool, func() { pool.Close(); stopCluster() }, nil
}

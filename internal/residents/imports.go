package residents

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"breachdesk/internal/cases"
)

// Import is one CSV import into a case.
type Import struct {
	ID            int64
	CaseID        int64
	FileName      string
	SizeBytes     int64
	SHA256        string
	Encoding      string
	Mapping       Mapping
	AddressOrder  []string
	Status        string
	AcceptBadRows bool
	CancelAsked   bool
	BytesRead     int64
	RowsRead      int64
	RowsImported  int64
	RowsBad       int64
	Duplicates    int64
	Error         string
	StartedAt     *time.Time
	ProgressAt    *time.Time
	FinishedAt    *time.Time
	CreatedBy     string
	CreatedAt     time.Time
}

// Active reports whether the import is queued or running.
func (i Import) Active() bool { return i.Status == "queued" || i.Status == "running" }

// Rate is the rows per second so far, and ETA the time left, estimated
// from the bytes read; both zero before there is anything to go on.
func (i Import) Rate(now time.Time) (rowsPerSec float64, eta time.Duration) {
	if i.StartedAt == nil || i.RowsRead == 0 {
		return 0, 0
	}
	elapsed := now.Sub(*i.StartedAt).Seconds()
	if elapsed <= 0 {
		return 0, 0
	}
	rowsPerSec = float64(i.RowsRead) / elapsed
	if i.BytesRead > 0 && i.SizeBytes > i.BytesRead {
		eta = time.Duration(elapsed * float64(i.SizeBytes-i.BytesRead) / float64(i.BytesRead) * float64(time.Second))
	}
	return rowsPerSec, eta
}

const importColumns = `i.id, i.case_id, i.file_name, i.size_bytes, coalesce(encode(i.sha256, 'hex'), ''), i.encoding, i.mapping,
	i.address_order, i.status, i.accept_bad_rows, i.cancel_requested, i.bytes_read, i.rows_read, i.rows_imported, i.rows_bad,
	i.duplicates, i.error, i.started_at, i.progress_at, i.finished_at, coalesce(u.email, ''), i.created_at`

func scanImport(row pgx.Row) (Import, error) {
	var i Import
	var mapping []byte
	err := row.Scan(&i.ID, &i.CaseID, &i.FileName, &i.SizeBytes, &i.SHA256, &i.Encoding, &mapping, &i.AddressOrder,
		&i.Status, &i.AcceptBadRows, &i.CancelAsked, &i.BytesRead, &i.RowsRead, &i.RowsImported, &i.RowsBad,
		&i.Duplicates, &i.Error, &i.StartedAt, &i.ProgressAt, &i.FinishedAt, &i.CreatedBy, &i.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return i, ErrNotFound
	}
	if err == nil && mapping != nil {
		err = json.Unmarshal(mapping, &i.Mapping)
	}
	return i, err
}

// Import returns an import of caseID.
func (s *Service) Import(ctx context.Context, caseID, importID int64) (Import, error) {
	return scanImport(s.pool.QueryRow(ctx, `SELECT `+importColumns+` FROM resident_imports i LEFT JOIN users u ON u.id = i.created_by
		WHERE i.id = $1 AND i.case_id = $2`, importID, caseID))
}

// Imports returns the case's imports, newest first.
func (s *Service) Imports(ctx context.Context, caseID int64) ([]Import, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+importColumns+` FROM resident_imports i LEFT JOIN users u ON u.id = i.created_by
		WHERE i.case_id = $1 ORDER BY i.id DESC`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list imports: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Import, error) { return scanImport(r) })
}

// chunkSize is the size of the pieces an upload is stored in.
const chunkSize = 1 << 20

// Upload stores the file from r as a new import of the case (status
// "uploaded"), streaming it into Postgres in 1 MB pieces; nothing touches
// the app server's disk. A read error (a connection cut mid-upload) or a
// file over MaxUploadBytes removes what was stored and is returned.
func (s *Service) Upload(ctx context.Context, actor cases.Actor, caseID int64, fileName string, r io.Reader) (Import, error) {
	fileName = strings.TrimSpace(fileName)
	if fileName == "" {
		fileName = "upload.csv"
	}
	var id int64
	err := cases.InCase(ctx, s.pool, caseID, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO resident_imports (case_id, file_name, created_by) VALUES ($1, $2, $3) RETURNING id`,
			caseID, fileName, actor.UserID()).Scan(&id)
	})
	if err != nil {
		return Import{}, err
	}
	size, sum, err := s.writeChunks(ctx, id, r)
	if err != nil {
		_, _ = s.pool.Exec(context.Background(), `UPDATE resident_imports SET status = 'failed', error = $2, finished_at = now() WHERE id = $1`,
			id, uploadError(err, size))
		_, _ = s.pool.Exec(context.Background(), `DELETE FROM import_chunks WHERE import_id = $1`, id)
		if errors.Is(err, ErrTooLarge) || errors.Is(err, ErrNotCSV) {
			return Import{}, err
		}
		return Import{}, fmt.Errorf("%s: %w", uploadError(err, size), err)
	}
	if _, err := s.pool.Exec(ctx, `UPDATE resident_imports SET status = 'uploaded', size_bytes = $2, sha256 = $3 WHERE id = $1`,
		id, size, sum); err != nil {
		return Import{}, err
	}
	return s.Import(ctx, caseID, id)
}

func uploadError(err error, size int64) string {
	if errors.Is(err, ErrTooLarge) || errors.Is(err, ErrNotCSV) {
		return err.Error()
	}
	return fmt.Sprintf("the upload was cut off after %.1f MB; nothing was imported, send the file again", float64(size)/(1<<20))
}

func (s *Service) writeChunks(ctx context.Context, id int64, r io.Reader) (int64, []byte, error) {
	h := sha256.New()
	buf := make([]byte, chunkSize)
	var size int64
	for seq := 0; ; seq++ {
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			size += int64(n)
			if size > MaxUploadBytes {
				return size, nil, ErrTooLarge
			}
			h.Write(buf[:n])
			if _, err := s.pool.Exec(ctx, `INSERT INTO import_chunks (import_id, seq, data) VALUES ($1, $2, $3)`, id, seq, buf[:n]); err != nil {
				return size, nil, err
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			if size == 0 {
				return 0, nil, fmt.Errorf("%w: the file is empty", ErrNotCSV)
			}
			return size, h.Sum(nil), nil
		}
		if err != nil {
			return size, nil, err
		}
	}
}

// chunkReader reads an upload back from Postgres, one piece at a time.
type chunkReader struct {
	ctx  context.Context
	s    *Service
	id   int64
	seq  int
	buf  []byte
	done bool
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.buf) == 0 {
		if c.done {
			return 0, io.EOF
		}
		err := c.s.pool.QueryRow(c.ctx, `SELECT data FROM import_chunks WHERE import_id = $1 AND seq = $2`, c.id, c.seq).Scan(&c.buf)
		if errors.Is(err, pgx.ErrNoRows) {
			c.done = true
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("read upload: %w", err)
		}
		c.seq++
	}
	n := copy(p, c.buf)
	c.buf = c.buf[n:]
	return n, nil
}

// Preview is the start of an uploaded file, for choosing the mapping. Its
// rows are masked but for state and country columns.
type Preview struct {
	Encoding string
	Header   []string
	Rows     [][]string
	Detected Mapping
	Problem  string
}

// Preview reads the header and first rows of an uploaded import in enc
// ("auto" to detect) and proposes a mapping. Problems with the file (not
// a CSV, bad bytes) come back in Preview.Problem, not as errors.
func (s *Service) Preview(ctx context.Context, caseID, importID int64, enc string, rows int) (Preview, error) {
	imp, err := s.Import(ctx, caseID, importID)
	if err != nil {
		return Preview{}, err
	}
	if imp.SizeBytes == 0 {
		return Preview{Problem: "The upload holds no data."}, nil
	}
	src, err := NewSource(&chunkReader{ctx: ctx, s: s, id: importID}, enc)
	if err != nil {
		return Preview{Problem: err.Error()}, nil
	}
	p := Preview{Encoding: src.Encoding}
	for p.Header == nil || len(p.Rows) < rows {
		rec, _, err := src.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			p.Problem = err.Error()
			break
		}
		if p.Header == nil {
			for _, h := range rec {
				p.Header = append(p.Header, strings.TrimSpace(h))
			}
			continue
		}
		p.Rows = append(p.Rows, append([]string(nil), rec...))
	}
	if p.Header == nil && p.Problem == "" {
		p.Problem = "The file has no header row."
	}
	p.Detected = DetectMapping(p.Header)
	maskPreview(&p)
	return p, nil
}

// maskPreview masks every cell of the preview except the columns that only
// say where someone lives (state, country), so choosing the mapping shows
// no one's personal data in clear.
func maskPreview(p *Preview) {
	open := map[int]bool{}
	for field, col := range p.Detected {
		if strings.HasSuffix(field, ".state") || strings.HasSuffix(field, ".state_code") ||
			strings.HasSuffix(field, ".country") || strings.HasSuffix(field, ".country_code") {
			for i, h := range p.Header {
				if h == col {
					open[i] = true
				}
			}
		}
	}
	for _, row := range p.Rows {
		for i, cell := range row {
			if !open[i] {
				row[i] = maskCell(cell)
			}
		}
	}
}

func maskCell(s string) string {
	if strings.Contains(s, "@") {
		return maskEmail(s)
	}
	if strings.IndexFunc(s, func(r rune) bool { return r >= '0' && r <= '9' }) >= 0 && strings.IndexFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }) < 0 {
		return maskDigits(s)
	}
	return maskWords(s)
}

// StartOptions are the officer's choices for an import.
type StartOptions struct {
	Encoding     string
	Mapping      Mapping
	AddressOrder []string
	// SaveMappingAs, when set, also saves the mapping under that name.
	SaveMappingAs string
	// AcceptBadRows stores the usable rows of a file with bad rows at once,
	// instead of stopping for review.
	AcceptBadRows bool
}

// Start checks the mapping against the file's header and queues the
// import. Errors: ErrNotFound, ErrState (not uploaded), ErrBusy, or a
// *cases.ValidationError for a mapping that does not fit.
func (s *Service) Start(ctx context.Context, actor cases.Actor, caseID, importID int64, o StartOptions) error {
	imp, err := s.Import(ctx, caseID, importID)
	if err != nil {
		return err
	}
	p, err := s.Preview(ctx, caseID, importID, o.Encoding, 0)
	if err != nil {
		return err
	}
	if p.Problem != "" {
		return &cases.ValidationError{Fields: map[string]string{"file": p.Problem}}
	}
	return s.queue(ctx, actor, imp, p.Header, o, s.jobs != nil)
}

// queue validates o against header and moves the import to "queued",
// recording it on the timeline and, when enqueue is set, enqueueing its
// job in the same transaction.
func (s *Service) queue(ctx context.Context, actor cases.Actor, imp Import, header []string, o StartOptions, enqueue bool) error {
	if o.Encoding == "" {
		o.Encoding = EncodingAuto
	}
	switch o.Encoding {
	case EncodingAuto, EncodingUTF8, EncodingUTF16, EncodingWin1252:
	default:
		return &cases.ValidationError{Fields: map[string]string{"encoding": fmt.Sprintf("Unknown encoding %q.", o.Encoding)}}
	}
	order, err := checkOrder(o.AddressOrder)
	if err != nil {
		return err
	}
	if err := o.Mapping.Validate(header); err != nil {
		return &cases.ValidationError{Fields: map[string]string{"mapping": err.Error()}}
	}
	mapping, _ := json.Marshal(o.Mapping)
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if o.SaveMappingAs != "" {
			if err := saveMapping(ctx, tx, actor, o.SaveMappingAs, o.Mapping); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, `UPDATE resident_imports SET status = 'queued', encoding = $3, mapping = $4, address_order = $5,
			accept_bad_rows = $6, cancel_requested = false, version = version + 1
			WHERE id = $1 AND case_id = $2 AND status IN ('uploaded', 'failed', 'cancelled')`,
			imp.ID, imp.CaseID, o.Encoding, mapping, order, o.AcceptBadRows)
		if isUniqueViolation(err) {
			return ErrBusy
		}
		if err != nil {
			return fmt.Errorf("queue import: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrState
		}
		if err := cases.RecordEvent(ctx, tx, imp.CaseID, actor, "residents.import_queued", map[string]any{
			"import_id": imp.ID, "file_name": imp.FileName, "sha256": imp.SHA256, "encoding": o.Encoding,
			"mapping": o.Mapping, "address_order": order,
		}); err != nil {
			return err
		}
		if !enqueue {
			return nil
		}
		return s.jobs.EnqueueImport(ctx, tx, imp.ID)
	})
}

// ImportFile runs an import of a file the caller reads itself (the CLI,
// for large files over SSH): the same checks, transaction, timeline and
// outcome as a queued import, without storing the file in Postgres first.
// open is called twice: once for the header, once for the run.
func (s *Service) ImportFile(ctx context.Context, actor cases.Actor, caseID int64, name string, size int64,
	open func() (io.ReadCloser, error), o StartOptions, progress func(Progress)) (Import, Result, error) {
	var id int64
	err := cases.InCase(ctx, s.pool, caseID, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO resident_imports (case_id, file_name, size_bytes, status, created_by)
			VALUES ($1, $2, $3, 'uploaded', $4) RETURNING id`, caseID, name, size, actor.UserID()).Scan(&id)
	})
	if err != nil {
		return Import{}, Result{}, err
	}
	imp, err := s.Import(ctx, caseID, id)
	if err != nil {
		return imp, Result{}, err
	}
	r, err := open()
	if err != nil {
		return imp, Result{}, err
	}
	src, err := NewSource(r, o.Encoding)
	var header []string
	if err == nil {
		var rec []string
		if rec, _, err = src.Read(); err == nil {
			for _, h := range rec {
				header = append(header, strings.TrimSpace(h))
			}
		} else if errors.Is(err, io.EOF) {
			err = fmt.Errorf("%w: the file is empty", ErrNotCSV)
		}
	}
	r.Close()
	if err == nil && o.Mapping == nil {
		o.Mapping = DetectMapping(header)
	}
	if err == nil {
		err = s.queue(ctx, actor, imp, header, o, false)
	}
	if err != nil {
		s.pool.Exec(context.Background(), `UPDATE resident_imports SET status = 'failed', error = $2, finished_at = now() WHERE id = $1`, id, err.Error())
		return imp, Result{}, err
	}
	r, err = open()
	if err != nil {
		return imp, Result{}, err
	}
	defer r.Close()
	res, err := s.Execute(ctx, id, r, progress)
	if err == nil && !res.Committed {
		// The file is not kept in Postgres, so there is nothing to accept
		// later: the import ends here, to be run again by choice.
		_, err = s.pool.Exec(ctx, `UPDATE resident_imports SET status = 'cancelled', error = $2 WHERE id = $1 AND status = 'review'`,
			id, fmt.Sprintf("%d rows cannot be used; nothing was imported. Run the import again accepting bad rows to store the others.", res.Bad))
	}
	imp, _ = s.Import(ctx, caseID, id)
	return imp, res, err
}

func checkOrder(order []string) ([]string, error) {
	if len(order) == 0 {
		return AddressGroups, nil
	}
	seen := map[string]bool{}
	var out []string
	for _, g := range order {
		ok := false
		for _, known := range AddressGroups {
			ok = ok || g == known
		}
		if !ok {
			return nil, &cases.ValidationError{Fields: map[string]string{"address_order": fmt.Sprintf("Unknown address block %q; use %s.", g, strings.Join(AddressGroups, ", "))}}
		}
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out, nil
}

func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}

package cases

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// MaxAttachmentBytes bounds one evidence file.
const MaxAttachmentBytes = 10 << 20

// attachmentTypes are the file kinds accepted as evidence, by extension,
// with the content type they are served as and the sniffed types their
// bytes may have. Anything else (executables, scripts, HTML, SVG) is
// refused: evidence is opened by reviewers and auditors.
var attachmentTypes = map[string]struct {
	serveAs string
	sniffed []string
}{
	".pdf":  {"application/pdf", []string{"application/pdf"}},
	".png":  {"image/png", []string{"image/png"}},
	".jpg":  {"image/jpeg", []string{"image/jpeg"}},
	".jpeg": {"image/jpeg", []string{"image/jpeg"}},
	".gif":  {"image/gif", []string{"image/gif"}},
	".txt":  {"text/plain; charset=utf-8", []string{"text/plain"}},
	".log":  {"text/plain; charset=utf-8", []string{"text/plain"}},
	".csv":  {"text/csv; charset=utf-8", []string{"text/plain"}},
	".json": {"application/json", []string{"text/plain"}},
	".eml":  {"message/rfc822", []string{"text/plain"}},
	".zip":  {"application/zip", []string{"application/zip"}},
	".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", []string{"application/zip"}},
	".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", []string{"application/zip"}},
}

// AllowedAttachmentExtensions lists the accepted file extensions, for forms.
func AllowedAttachmentExtensions() string {
	return ".pdf, .png, .jpg, .gif, .txt, .log, .csv, .json, .eml, .zip, .docx, .xlsx"
}

// Upload is a file given as evidence.
type Upload struct {
	Name string
	Data []byte
}

// Evidence is a note on a task, perhaps with a file.
type Evidence struct {
	ID          int64
	TaskID      int64
	Author      string
	Note        string
	FileName    string
	ContentType string
	Size        int64
	SHA256      string
	CreatedAt   time.Time
}

// checkUpload returns the content type to store for u, or a
// *ValidationError on the file field.
func checkUpload(u *Upload) (string, error) {
	bad := func(msg string) (string, error) {
		return "", &ValidationError{Fields: map[string]string{"file": msg}}
	}
	name := filepath.Base(strings.ReplaceAll(u.Name, `\`, "/"))
	if name == "" || name == "." || name == "/" || !utf8.ValidString(name) || len(name) > 200 {
		return bad("The file needs a name of at most 200 characters.")
	}
	u.Name = name
	if len(u.Data) == 0 {
		return bad("The file is empty.")
	}
	if len(u.Data) > MaxAttachmentBytes {
		return bad(fmt.Sprintf("The file is %.1f MB; the limit is %d MB.", float64(len(u.Data))/(1<<20), MaxAttachmentBytes>>20))
	}
	kind, ok := attachmentTypes[strings.ToLower(filepath.Ext(name))]
	if !ok {
		return bad(fmt.Sprintf("Files of type %q are not accepted as evidence; use %s.", filepath.Ext(name), AllowedAttachmentExtensions()))
	}
	sniffed, _, _ := strings.Cut(http.DetectContentType(u.Data), ";")
	for _, want := range kind.sniffed {
		if sniffed == want {
			return kind.serveAs, nil
		}
	}
	return bad(fmt.Sprintf("The file's content (%s) does not match its name %q.", sniffed, name))
}

// AddEvidence adds a note, with an optional file, to a task of case ref and
// records it on the timeline with the file's SHA-256. Errors: ErrNotFound,
// ErrClosed, or a *ValidationError (empty note, file too large, type not
// accepted, content not matching its extension).
func (s *Service) AddEvidence(ctx context.Context, actor Actor, ref string, taskID int64, note string, file *Upload) error {
	note = strings.TrimSpace(note)
	if note == "" || len(note) > 20000 {
		return &ValidationError{Fields: map[string]string{"note": "Describe the evidence (1 to 20,000 characters)."}}
	}
	var contentType, fileName string
	var data, sum []byte
	if file != nil {
		var err error
		if contentType, err = checkUpload(file); err != nil {
			return err
		}
		h := sha256.Sum256(file.Data)
		sum, fileName, data = h[:], file.Name, file.Data
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := lockCase(ctx, tx, ref, 0)
		if err != nil {
			return err
		}
		var title string
		if err := tx.QueryRow(ctx, `SELECT title FROM case_tasks WHERE id = $1 AND case_id = $2`, taskID, c.ID).Scan(&title); errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return fmt.Errorf("load task: %w", err)
		}
		var id int64
		err = tx.QueryRow(ctx, `
			INSERT INTO task_evidence (task_id, case_id, author_id, author, note, file_name, content_type, size, sha256, content)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			taskID, c.ID, actor.UserID(), actor.Email, note, nullStr(fileName), nullStr(contentType),
			nullSize(data), sum, nullBytes(data)).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert evidence: %w", err)
		}
		payload := map[string]any{"evidence_id": id, "task_id": taskID, "task": title, "note": note}
		if file != nil {
			payload["file_name"], payload["size"], payload["sha256"] = fileName, len(data), hex.EncodeToString(sum)
		}
		return appendEvent(ctx, tx, c.ID, actor, "evidence.added", payload)
	})
}

// Evidence returns the evidence of every task of the case, oldest first,
// without file contents.
func (s *Service) Evidence(ctx context.Context, caseID int64) ([]Evidence, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id, task_id, author, note, coalesce(file_name, ''), coalesce(content_type, ''), coalesce(size, 0),
		       coalesce(encode(sha256, 'hex'), ''), created_at
		FROM task_evidence WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list evidence: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Evidence])
}

// EvidenceFile returns an evidence file of case ref for download and
// records the download on the case timeline (closed cases included: reading
// is allowed, and every read is recorded). Errors: ErrNotFound when the
// case, the evidence or its file does not exist.
func (s *Service) EvidenceFile(ctx context.Context, actor Actor, ref string, evidenceID int64) (Evidence, []byte, error) {
	var e Evidence
	var data []byte
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var caseID int64
		if err := tx.QueryRow(ctx, `SELECT id FROM cases WHERE reference = $1 FOR NO KEY UPDATE`, ref).Scan(&caseID); errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `
			SELECT id, task_id, author, note, file_name, content_type, size, encode(sha256, 'hex'), created_at, content
			FROM task_evidence WHERE id = $1 AND case_id = $2 AND content IS NOT NULL`, evidenceID, caseID).
			Scan(&e.ID, &e.TaskID, &e.Author, &e.Note, &e.FileName, &e.ContentType, &e.Size, &e.SHA256, &e.CreatedAt, &data)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return fmt.Errorf("load evidence file: %w", err)
		}
		return appendEvent(ctx, tx, caseID, actor, "evidence.downloaded", map[string]any{
			"evidence_id": e.ID, "file_name": e.FileName, "sha256": e.SHA256,
		})
	})
	return e, data, err
}

func nullStr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nullSize(b []byte) *int64 {
	if b == nil {
		return nil
	}
	n := int64(len(b))
	return &n
}

func nullBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

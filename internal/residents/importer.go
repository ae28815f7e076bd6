package residents

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// MaxReportedErrors bounds the bad rows listed in an import's error
// report; more are counted but not listed.
const MaxReportedErrors = 100_000

// ErrCancelled is returned when the officer cancelled the import.
var ErrCancelled = errors.New("the import was cancelled; nothing was imported")

// Progress is how far an import has got.
type Progress struct {
	BytesRead int64
	RowsRead  int64
	Bad       int64
}

// RunOptions configure one run of the import engine.
type RunOptions struct {
	ImportID int64
	CaseID   int64
	Encoding string
	Mapping  Mapping
	// AddressOrder is the order address blocks are tried in; nil for
	// AddressGroups.
	AddressOrder []string
	// HomeCountry is what a blank country means (ISO alpha-2).
	HomeCountry string
	// AcceptBadRows commits an import that has unusable rows; otherwise
	// such an import is rolled back and awaits the officer's decision.
	AcceptBadRows bool
	// SizeHint is the file's size in bytes, when known, to size memory.
	SizeHint int64
	// Progress is called about every half second; returning true cancels.
	Progress func(Progress) (cancel bool)
}

// Result is the outcome of a run.
type Result struct {
	Encoding   string
	RowsRead   int64
	Imported   int64
	Bad        int64
	Duplicates int64
	// FooterLines were dropped as a report export's footer.
	FooterLines int
	Errors      []LineError
	// Committed is false when bad rows stopped the import for review.
	Committed bool
}

// columns of a header, resolved once.
type columns struct {
	header                                      []string
	crmID, first, last, full, email, phone, els int
	addr                                        []addrCols
}

type addrCols struct {
	group string
	idx   [7]int // AddressParts order; -1 when unmapped
}

func resolveColumns(header []string, m Mapping, order []string) columns {
	pos := map[string]int{}
	for i, h := range header {
		if _, dup := pos[h]; !dup {
			pos[h] = i
		}
	}
	col := func(field string) int {
		if h, ok := m[field]; ok && h != "" {
			if i, ok := pos[h]; ok {
				return i
			}
		}
		return -1
	}
	c := columns{header: header, crmID: col(FieldCRMID), first: col(FieldFirstName), last: col(FieldLastName),
		full: col(FieldFullName), email: col(FieldEmail), phone: col(FieldPhone), els: col(FieldElements)}
	if len(order) == 0 {
		order = AddressGroups
	}
	for _, g := range order {
		a := addrCols{group: g}
		any := false
		for i, p := range AddressParts {
			a.idx[i] = col(g + "." + p)
			any = any || a.idx[i] >= 0
		}
		if any {
			c.addr = append(c.addr, a)
		}
	}
	return c
}

func field(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// rawRow is a record as read, copied out of the CSV reader's buffer.
type rawRow struct {
	line   int64
	fields []string
}

// outRow is a record ready to store, less its duplicate status: the COPY
// fields before the duplicate columns (pre) and after them (post).
type outRow struct {
	line      int64
	pre, post []byte
	blinds    [3][]byte
	bad       *LineError
	// where the person is counted, for the case's counts
	jurisdiction, country string
	conflict              bool
}

const copyResidents = `COPY residents (case_id, import_id, line, jurisdiction, country, zip3, decided_by, conflict,
	zip_state, elements, dup_of_import, dup_of_line, dup_reason, nonce, enc_crm_id, enc_name, enc_email, enc_phone,
	enc_address, bi_crm_id, bi_email, bi_name_addr) FROM STDIN (FORMAT binary)`

// residentFields is the number of columns COPY writes.
const residentFields = 22

// appendSealed appends a COPY field holding the parts sealed as field n of
// the row, or NULL when they are all empty.
func appendSealed(b []byte, s *Sealer, rowNonce []byte, n byte, parts ...string) []byte {
	at := len(b)
	b = s.AppendField(append(b, 0, 0, 0, 0), rowNonce, n, parts...)
	if len(b) == at+4 {
		return appendNull(b[:at])
	}
	binary.BigEndian.PutUint32(b[at:], uint32(len(b)-at-4))
	return b
}

// appendBlind appends a COPY field holding the blind index of a
// normalised value, or NULL when it is empty; it also returns the index.
func appendBlind(b []byte, s *Sealer, kind string, normalized []byte) ([]byte, []byte) {
	at := len(b)
	b = s.AppendBlind(binary.BigEndian.AppendUint32(b, blindSize), kind, normalized)
	if len(b) == at+4 {
		return appendNull(b[:at]), nil
	}
	return b, b[at+4 : at+4+blindSize : at+4+blindSize]
}

// converter turns records into stored rows. It only reads shared state;
// each worker has its own.
type converter struct {
	cols  *columns
	opts  *RunOptions
	seal  *Sealer
	addrs []NamedAddress // each record's address blocks, reused
	key   []byte         // what a blind index hashes, reused
}

// convert turns one record into a stored row: residency, elements,
// encrypted fields and blind indexes, appended to arena.
func (cv *converter) convert(rec rawRow, out *outRow, arena []byte) []byte {
	c, opts, s := cv.cols, cv.opts, cv.seal
	*out = outRow{line: rec.line} // outs are reused; a bad row must leave nothing of another
	f := rec.fields
	// Trailing empty fields beyond the header (a spreadsheet's stray
	// commas) are harmless.
	for len(f) > len(c.header) && strings.TrimSpace(f[len(f)-1]) == "" {
		f = f[:len(f)-1]
	}
	if len(f) != len(c.header) {
		out.bad = &LineError{Line: rec.line, Reason: fmt.Sprintf("%d fields where the header has %d", len(f), len(c.header))}
		return arena
	}
	p := Person{CRMID: field(f, c.crmID), First: field(f, c.first), Last: field(f, c.last), Full: field(f, c.full),
		Email: field(f, c.email), Phone: field(f, c.phone)}
	if p.CRMID == "" && p.First == "" && p.Last == "" && p.Full == "" && p.Email == "" {
		out.bad = &LineError{Line: rec.line, Reason: "no name, e-mail or CRM Id, so the person cannot be identified"}
		return arena
	}
	if c.els >= 0 {
		if v := field(f, c.els); v != "" {
			els, err := ParseElements(v)
			if err != nil {
				out.bad = &LineError{Line: rec.line, Column: c.header[c.els], Reason: err.Error()}
				return arena
			}
			p.Elements = els
		}
	}
	if cap(cv.addrs) < len(c.addr) {
		cv.addrs = make([]NamedAddress, len(c.addr))
	}
	p.Addresses = cv.addrs[:len(c.addr)]
	for i, a := range c.addr {
		p.Addresses[i] = NamedAddress{Group: a.group, Address: Address{
			Street: field(f, a.idx[0]), City: field(f, a.idx[1]), State: field(f, a.idx[2]), StateCode: field(f, a.idx[3]),
			PostalCode: field(f, a.idx[4]), Country: field(f, a.idx[5]), CountryCode: field(f, a.idx[6]),
		}}
	}
	r := Resolve(p.Addresses, opts.HomeCountry)
	// The address kept (encrypted) is the one that decided, else the first given.
	var addr Address
	for _, a := range p.Addresses {
		if a.Group == r.Group || (r.Group == "" && !a.empty()) {
			addr = a.Address
			break
		}
	}
	crm, email := NormalizeCRMID(p.CRMID), NormalizeEmail(p.Email)
	start := len(arena)
	pre := arena
	pre = appendInt8(pre, opts.CaseID)
	pre = appendInt8(pre, opts.ImportID)
	pre = appendInt8(pre, rec.line)
	pre = appendTextOrNull(pre, r.Jurisdiction)
	pre = appendTextOrNull(pre, r.Country)
	pre = appendTextOrNull(pre, r.ZIP3)
	pre = appendText(pre, r.DecidedBy)
	pre = appendBool(pre, r.Conflict)
	pre = appendTextOrNull(pre, r.ZIPState)
	pre = appendTextArray(pre, p.Elements)
	k := len(pre)
	out.jurisdiction, out.country, out.conflict = r.Jurisdiction, r.Country, r.Conflict
	// The rest is sealed and hashed straight into the row.
	post := s.AppendRowNonce(binary.BigEndian.AppendUint32(pre, rowNonceSize))
	nonce := post[len(post)-rowNonceSize:]
	post = appendSealed(post, s, nonce, fieldCRMID, p.CRMID)
	post = appendSealed(post, s, nonce, fieldName, p.First, p.Last, p.Full)
	post = appendSealed(post, s, nonce, fieldEmail, p.Email)
	post = appendSealed(post, s, nonce, fieldPhone, p.Phone)
	post = appendSealed(post, s, nonce, fieldAddress, addr.Street, addr.City, addr.PostalCode)
	cv.key = append(cv.key[:0], crm...)
	post, out.blinds[0] = appendBlind(post, s, ReasonCRMID, cv.key)
	cv.key = append(cv.key[:0], email...)
	post, out.blinds[1] = appendBlind(post, s, ReasonEmail, cv.key)
	cv.key = p.appendNameAddressKey(cv.key[:0], r)
	post, out.blinds[2] = appendBlind(post, s, ReasonNameAddress, cv.key)
	out.pre, out.post = post[start:k:k], post[k:]
	return post
}

// batch is a slice of records processed together, in file order by seq.
type batch struct {
	seq  int
	raws []rawRow
	// fields backs the raws' fields: one allocation a batch, not a row.
	fields []string
	outs   []outRow
	// arena holds the encoded rows.
	arena []byte
}

// Batches go round: once COPY has taken a batch's rows, the reader fills
// it again, so an import does not allocate and clear a megabyte of arrays
// every 2,048 rows.
type batchRing chan *batch

// get returns a recycled batch, emptied, or a new one.
func (r batchRing) get(width int) *batch {
	select {
	case b := <-r:
		b.raws, b.fields, b.arena = b.raws[:0], b.fields[:0], b.arena[:0]
		return b
	default:
		return &batch{raws: make([]rawRow, 0, batchSize), fields: make([]string, 0, batchSize*width),
			arena: make([]byte, 0, batchSize*448)}
	}
}

// put hands a batch back; beyond the ring's capacity it is left to the GC.
func (r batchRing) put(b *batch) {
	select {
	case r <- b:
	default:
	}
}

const batchSize = 2048

// Run imports the CSV from src into the case in one transaction: every
// usable row is stored (encrypted, de-duplicated against the case's
// earlier imports) and the case's counts are rebuilt, or nothing is. When
// the file has bad rows and opts.AcceptBadRows is false it rolls back and
// returns Committed=false with the rows listed. It reads src once, in
// constant memory apart from de-duplication's 8-byte keys.
func (im *Importer) Run(ctx context.Context, opts RunOptions, src io.Reader, finish func(ctx context.Context, tx pgx.Tx, res Result) error) (Result, error) {
	var res Result
	source, err := NewSource(src, opts.Encoding)
	if err != nil {
		return res, err
	}
	res.Encoding = source.Encoding
	header, _, err := source.Read()
	if errors.Is(err, io.EOF) {
		return res, fmt.Errorf("%w: the file is empty", ErrNotCSV)
	}
	if err != nil {
		return res, err
	}
	header = append([]string(nil), header...)
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	if opts.Mapping == nil {
		opts.Mapping = DetectMapping(header)
	}
	if err := opts.Mapping.Validate(header); err != nil {
		return res, err
	}
	if opts.HomeCountry == "" {
		opts.HomeCountry = "US"
	}
	cols := resolveColumns(header, opts.Mapping, opts.AddressOrder)

	tx, err := im.pool.Begin(ctx)
	if err != nil {
		return res, fmt.Errorf("begin import: %w", err)
	}
	defer tx.Rollback(context.Background())
	key, err := im.keys.caseKey(ctx, tx, opts.CaseID)
	if err != nil {
		return res, err
	}
	existingRows, err := keptCount(ctx, tx, opts.CaseID)
	if err != nil {
		return res, err
	}
	// Rows of CRM exports rarely take less than 256 bytes; a smaller guess
	// only means the de-duplicator grows once, a larger one wastes memory.
	dd := newDedupe(existingRows + int(opts.SizeHint/256))
	// pgx may return from a failed COPY while its goroutine is still in
	// copySource.Read, which holds ddMu while it uses dd; the table is
	// freed under ddMu and Read checks for that.
	var ddMu sync.Mutex
	defer func() {
		ddMu.Lock()
		dd.release()
		ddMu.Unlock()
	}()
	if _, err := loadExisting(ctx, tx, opts.CaseID, dd); err != nil {
		return res, err
	}

	// Reader → workers → in-order de-duplication and COPY. bad is shared
	// between the COPY side, which counts, and the reader, which reports.
	var bad atomic.Int64
	// pctx stops the pipeline when any stage fails; the transaction itself
	// runs on ctx and goes on to commit after the pipeline is done.
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	raws := make(chan *batch, 4)
	ring := make(batchRing, 16)
	done := make(chan *batch, 8)
	var readErr error
	var readWG sync.WaitGroup
	readWG.Add(1)
	go func() {
		defer readWG.Done()
		defer close(raws)
		lowerPriority()
		readErr = readBatches(pctx, source, len(header), ring, raws, &res, &bad, opts.Progress)
		if readErr != nil {
			cancel()
		}
	}()
	workers := workerCount()
	var workWG sync.WaitGroup
	for w := 0; w < workers; w++ {
		workWG.Add(1)
		go func() {
			defer workWG.Done()
			lowerPriority()
			cv := converter{cols: &cols, opts: &opts, seal: key.Sealer()}
			for b := range raws {
				if cap(b.outs) < len(b.raws) {
					b.outs = make([]outRow, len(b.raws))
				}
				b.outs = b.outs[:len(b.raws)]
				for i := range b.raws {
					// A row that outgrows the arena moves it; earlier rows keep
					// their slices of the old one, which stays alive through them.
					b.arena = cv.convert(b.raws[i], &b.outs[i], b.arena)
				}
				select {
				case done <- b:
				case <-pctx.Done():
					return
				}
			}
		}()
	}
	go func() { workWG.Wait(); close(done) }()

	src2 := &copySource{ctx: pctx, in: done, ring: ring, ddMu: &ddMu, pending: map[int]*batch{}, dd: dd, importID: opts.ImportID, res: &res, bad: &bad,
		buf: append([]byte(nil), copyHeader...), counts: summaryDelta{}}
	widenSendBuffer(tx.Conn().PgConn().Conn())
	tag, copyErr := tx.Conn().PgConn().CopyFrom(pctx, src2, copyResidents)
	n := tag.RowsAffected()
	cancel()
	readWG.Wait()
	for range done { // let workers finish
	}
	// A cancellation the reader saw was caused by the COPY failing (we
	// stopped the pipeline), so the COPY's error is the one to report.
	switch {
	case readErr != nil && !errors.Is(readErr, context.Canceled):
		return res, readErr
	case copyErr != nil:
		return res, fmt.Errorf("store residents: %w", copyErr)
	case readErr != nil:
		return res, readErr
	}
	res.Imported = n
	res.Bad = bad.Load()
	res.Errors = src2.errors
	if res.Bad > 0 && !opts.AcceptBadRows {
		return res, nil // rolled back by the deferred Rollback
	}
	if err := applyDemotions(ctx, tx, dd, &res, src2.counts); err != nil {
		return res, err
	}
	// The counts change by what this import added, not recounted from all
	// the case's rows: a GROUP BY over a million rows took a second.
	if err := src2.counts.apply(ctx, tx, opts.CaseID); err != nil {
		return res, err
	}
	if finish != nil {
		if err := finish(ctx, tx, res); err != nil {
			return res, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return res, fmt.Errorf("commit import: %w", err)
	}
	res.Committed = true
	return res, nil
}

// readBatches reads records into batches. A report export's footer (a
// few short rows at the end) is dropped; short rows followed by full ones
// are passed on and reported as bad.
func readBatches(ctx context.Context, src *Source, width int, ring batchRing, out chan<- *batch, res *Result, bad *atomic.Int64,
	progress func(Progress) bool) error {
	b := ring.get(width)
	seq := 0
	var pending []rawRow // short rows that may be a footer
	var last time.Time   // the first row reports at once
	send := func() error {
		if len(b.raws) == 0 {
			return nil
		}
		b.seq = seq
		seq++
		select {
		case out <- b:
		case <-ctx.Done():
			return ctx.Err()
		}
		b = ring.get(width)
		return nil
	}
	add := func(r rawRow) error {
		b.raws = append(b.raws, r)
		if len(b.raws) >= batchSize {
			return send()
		}
		return nil
	}
	for {
		rec, line, err := src.Read()
		if errors.Is(err, io.EOF) {
			res.FooterLines = len(pending)
			return send()
		}
		if err != nil {
			return err
		}
		res.RowsRead++
		start := len(b.fields)
		b.fields = append(b.fields, rec...) // a row wider than the header may move it; earlier rows keep the old array
		row := rawRow{line: int64(line), fields: b.fields[start:len(b.fields):len(b.fields)]}
		if width > 2 && len(rec) <= 2 {
			// Its own copy: the batch it was read into may go round before
			// the row is placed.
			row.fields = append([]string(nil), row.fields...)
			pending = append(pending, row)
			continue
		}
		for _, p := range pending {
			if err := add(p); err != nil {
				return err
			}
		}
		pending = pending[:0]
		if err := add(row); err != nil {
			return err
		}
		if progress != nil && time.Since(last) > 500*time.Millisecond {
			last = time.Now()
			if progress(Progress{BytesRead: src.BytesRead(), RowsRead: res.RowsRead, Bad: bad.Load()}) {
				return ErrCancelled
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// copySource feeds COPY with rows in file order, deciding duplicates as
// it goes and setting bad rows aside. It is the io.Reader COPY reads.
type copySource struct {
	ctx      context.Context
	in       <-chan *batch
	ring     batchRing
	pending  map[int]*batch
	next     int
	cur      *batch
	i        int
	dd       *dedupe
	ddMu     *sync.Mutex // held while dd is in use; see Run
	importID int64
	res      *Result
	bad      *atomic.Int64
	errors   []LineError
	buf      []byte // encoded bytes not yet read
	off      int
	ended    bool
	counts   summaryDelta // what the rows sent add to the case's counts
}

func (c *copySource) Read(p []byte) (int, error) {
	c.ddMu.Lock()
	defer c.ddMu.Unlock()
	if c.dd.released() {
		return 0, errors.New("import pipeline stopped early")
	}
	for c.off >= len(c.buf) {
		if c.ended {
			return 0, io.EOF
		}
		c.buf, c.off = c.buf[:0], 0
		for len(c.buf) < 64<<10 && !c.ended {
			if err := c.fill(); err != nil {
				return 0, err
			}
		}
	}
	n := copy(p, c.buf[c.off:])
	c.off += n
	return n, nil
}

// fill appends the next row, or the trailer at the end.
func (c *copySource) fill() error {
	for c.cur == nil || c.i >= len(c.cur.outs) {
		if c.cur != nil {
			c.ring.put(c.cur)
		}
		c.cur = nil
		if b, ok := c.pending[c.next]; ok {
			delete(c.pending, c.next)
			c.cur, c.i = b, 0
			c.next++
			continue
		}
		b, ok := <-c.in
		if !ok {
			if len(c.pending) > 0 || c.ctx.Err() != nil {
				return errors.New("import pipeline stopped early")
			}
			c.buf = append(c.buf, copyTrailer...)
			c.ended = true
			return nil
		}
		c.pending[b.seq] = b
	}
	o := &c.cur.outs[c.i]
	c.i++
	if o.bad != nil {
		c.bad.Add(1)
		if len(c.errors) < MaxReportedErrors {
			c.errors = append(c.errors, *o.bad)
		}
		return nil
	}
	c.buf = binary.BigEndian.AppendUint16(c.buf, residentFields)
	c.buf = append(c.buf, o.pre...)
	root, reason, dup := c.dd.add(ref{c.importID, o.line}, o.blinds[0], o.blinds[1], o.blinds[2])
	if dup {
		c.buf = appendInt8(c.buf, root.importID)
		c.buf = appendInt8(c.buf, root.line)
		c.buf = appendText(c.buf, reason)
		c.res.Duplicates++
	} else {
		c.buf = appendNull(appendNull(appendNull(c.buf)))
	}
	c.counts.add(o.jurisdiction, o.country, reason, o.conflict, 1)
	c.buf = append(c.buf, o.post...)
	o.pre, o.post = nil, nil
	return nil
}

// loadExisting feeds the case's stored residents to the de-duplicator, in
// the order they arrived, and returns how many there were.
func loadExisting(ctx context.Context, tx pgx.Tx, caseID int64, dd *dedupe) (int, error) {
	rows, err := tx.Query(ctx, `SELECT import_id, line, bi_crm_id, bi_email, bi_name_addr FROM residents
		WHERE case_id = $1 ORDER BY import_id, line`, caseID)
	if err != nil {
		return 0, fmt.Errorf("load residents for de-duplication: %w", err)
	}
	defer rows.Close()
	n := 0
	var r ref
	var a, b, c []byte
	for rows.Next() {
		if err := rows.Scan(&r.importID, &r.line, &a, &b, &c); err != nil {
			return n, err
		}
		dd.add(r, a, b, c)
		n++
	}
	return n, rows.Err()
}

// applyDemotions marks as duplicates the first records that a later record
// showed to be the same person as an earlier one.
// applyDemotions marks the records that turned out to be duplicates after
// they were stored as first records, and moves them in counts from first
// records to duplicates.
func applyDemotions(ctx context.Context, tx pgx.Tx, dd *dedupe, res *Result, counts summaryDelta) error {
	for r, d := range dd.demotions() {
		var jurisdiction, country string
		var conflict bool
		err := tx.QueryRow(ctx, `UPDATE residents SET dup_of_import = $3, dup_of_line = $4, dup_reason = $5
			WHERE import_id = $1 AND line = $2 AND dup_of_line IS NULL
			RETURNING coalesce(jurisdiction, ''), coalesce(country, ''), conflict`, r.importID, r.line, d.root.importID, d.root.line, d.reason).
			Scan(&jurisdiction, &country, &conflict)
		if errors.Is(err, pgx.ErrNoRows) {
			continue // a duplicate already
		} else if err != nil {
			return fmt.Errorf("merge duplicates: %w", err)
		}
		counts.add(jurisdiction, country, "", conflict, -1)
		counts.add(jurisdiction, country, d.reason, conflict, 1)
		res.Duplicates++
	}
	return nil
}

// Importer runs imports of CRM exports into cases.
type Importer struct {
	pool *pgxpool.Pool
	keys *Keyring
}

// NewImporter returns an Importer.
func NewImporter(pool *pgxpool.Pool, keys *Keyring) *Importer {
	return &Importer{pool: pool, keys: keys}
}

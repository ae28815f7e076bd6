package audit

import (
	"archive/zip"
	"crypto/ed25519"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"breachdesk/internal/cases"
	"breachdesk/internal/residents"
)

// FormatError means the file is not a readable Breachdesk case export: not
// a ZIP, cut short, or without a manifest. Nothing about the case could be
// checked.
type FormatError struct{ Problem string }

func (e *FormatError) Error() string { return e.Problem }

// Verification is the outcome of checking an export.
type Verification struct {
	// Problem is the first thing found broken; "" when the export is intact.
	Problem   string
	Manifest  Manifest
	Events    int
	ChainHead string
	// Signer is the key that signed the manifest.
	Signer string
	// ManifestSHA256 is what the case timeline recorded at export.
	ManifestSHA256 string
}

// Intact reports whether every check passed.
func (v Verification) Intact() bool { return v.Problem == "" }

// String is the one-line answer: "intact: N events, chain head …" or the
// first problem.
func (v Verification) String() string {
	if v.Intact() {
		events := fmt.Sprintf("%d events", v.Events)
		if v.Events == 1 {
			events = "1 event"
		}
		return fmt.Sprintf("intact: %s, %s, chain head %s, %d files and the manifest, signed by key %s", v.Manifest.Case.Reference, events, v.ChainHead,
			len(v.Manifest.Files), v.Signer)
	}
	return "NOT intact: " + v.Problem
}

// maxManifest bounds manifest.json and manifest.sig.
const maxManifest = 16 << 20

// Verify checks an export read from r (size bytes): the manifest's
// signature by a known key (known maps key ids to public keys; a key
// outside it is refused), the hash chain of timeline.csv and of
// timeline.json event by event, their agreement with the manifest's event
// count and chain head, and every file's SHA-256 against the manifest,
// with no file missing or added. It reads each file once, streaming. A
// broken export gives a Verification whose Problem names the first broken
// event or file; a file that is not an export gives a *FormatError.
func Verify(r io.ReaderAt, size int64, known map[string]ed25519.PublicKey) (Verification, error) {
	var v Verification
	z, err := zip.NewReader(r, size)
	if err != nil {
		return v, &FormatError{"not a readable ZIP file (is it cut short?): " + err.Error()}
	}
	files := map[string]*zip.File{}
	for _, f := range z.File {
		if _, dup := files[f.Name]; dup {
			v.Problem = f.Name + " appears twice in the ZIP"
			return v, nil
		}
		files[f.Name] = f
	}
	manifestBytes, err := readSmall(files, "manifest.json")
	if err != nil {
		return v, err
	}
	v.ManifestSHA256 = sha256Hex(manifestBytes)
	if err := json.Unmarshal(manifestBytes, &v.Manifest); err != nil || v.Manifest.Format != Format {
		return v, &FormatError{"manifest.json is not a Breachdesk case export manifest (" + Format + ")"}
	}
	m := v.Manifest

	sigBytes, err := readSmall(files, "manifest.sig")
	if err != nil {
		return v, err
	}
	var sig Signature
	if err := json.Unmarshal(sigBytes, &sig); err != nil || sig.Algorithm != "ed25519" || len(sig.PublicKey) != ed25519.PublicKeySize {
		v.Problem = "manifest.sig is not an Ed25519 signature"
		return v, nil
	}
	pub, ok := known[sig.KeyID]
	switch {
	case !ok || residents.SigningKeyID(pub) != sig.KeyID || !pub.Equal(ed25519.PublicKey(sig.PublicKey)):
		v.Problem = fmt.Sprintf("manifest.sig is signed by key %s, which is not one of this Breachdesk's export keys", sig.KeyID)
		return v, nil
	case !ed25519.Verify(pub, manifestBytes, sig.Signature):
		v.Problem = "manifest.json was changed after it was signed: its signature does not match"
		return v, nil
	}
	v.Signer = sig.KeyID

	// The timeline first, so an edited event is named, not just its file.
	// The two copies are checked side by side, one core each.
	var jsonChain cases.ChainResult
	var jsonErr error
	done := make(chan struct{})
	// Each file is read no further than the size the manifest gives it,
	// so a crafted ZIP that inflates without end is cut short.
	limit := map[string]int64{}
	for _, f := range m.Files {
		limit[f.Name] = f.Bytes + 1
	}
	go func() {
		defer close(done)
		jsonChain, jsonErr = verifyJSON(files, m.Case.ID, limit["timeline.json"])
	}()
	csvChain, err := verifyCSV(files, m.Case.ID, limit["timeline.csv"])
	<-done
	if err != nil {
		v.Problem = err.Error()
		return v, nil
	}
	if !csvChain.Intact() {
		v.Problem = "timeline.csv: " + csvChain.Reason
		return v, nil
	}
	if err := jsonErr; err != nil {
		v.Problem = err.Error()
		return v, nil
	}
	if !jsonChain.Intact() {
		v.Problem = "timeline.json: " + jsonChain.Reason
		return v, nil
	}
	v.Events, v.ChainHead = csvChain.Events, csvChain.Head
	switch {
	case csvChain.Events != m.Timeline.Events:
		v.Problem = fmt.Sprintf("timeline.csv holds %d events; the manifest says %d: events were removed or added at the end", csvChain.Events, m.Timeline.Events)
	case csvChain.Head != m.Timeline.ChainHead:
		v.Problem = fmt.Sprintf("timeline.csv ends at chain head %s; the manifest says %s", csvChain.Head, m.Timeline.ChainHead)
	case jsonChain.Events != csvChain.Events || jsonChain.Head != csvChain.Head:
		v.Problem = "timeline.json and timeline.csv do not hold the same events"
	}
	if v.Problem != "" {
		return v, nil
	}

	listed := map[string]bool{"manifest.json": true, "manifest.sig": true}
	for _, want := range m.Files {
		listed[want.Name] = true
		f := files[want.Name]
		if f == nil {
			v.Problem = fmt.Sprintf("the manifest names %s, which is not in the export", want.Name)
			return v, nil
		}
		rc, err := f.Open()
		if err != nil {
			v.Problem = fmt.Sprintf("%s cannot be read: %v", want.Name, err)
			return v, nil
		}
		hw := newHashingWriter(io.Discard)
		_, err = io.Copy(hw, io.LimitReader(rc, want.Bytes+1))
		rc.Close()
		switch {
		case err != nil:
			v.Problem = fmt.Sprintf("%s cannot be read: %v", want.Name, err)
		case hw.sum() != want.SHA256 || hw.n != want.Bytes:
			v.Problem = fmt.Sprintf("%s was altered: its SHA-256 is %s, the manifest says %s", want.Name, hw.sum(), want.SHA256)
		}
		if v.Problem != "" {
			return v, nil
		}
	}
	for _, f := range z.File {
		if !listed[f.Name] {
			v.Problem = f.Name + " was added: the manifest does not list it"
			return v, nil
		}
	}
	return v, nil
}

func readSmall(files map[string]*zip.File, name string) ([]byte, error) {
	f := files[name]
	if f == nil {
		return nil, &FormatError{"not a Breachdesk case export: it has no " + name}
	}
	rc, err := f.Open()
	if err != nil {
		return nil, &FormatError{name + " cannot be read: " + err.Error()}
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxManifest))
	if err != nil {
		return nil, &FormatError{name + " cannot be read (is the file cut short?): " + err.Error()}
	}
	return b, nil
}

// openFile opens a file of the export to read at most limit bytes (the
// manifest's size plus one, so a longer file still shows as altered).
func openFile(files map[string]*zip.File, name string, limit int64) (io.Reader, func() error, error) {
	f := files[name]
	if f == nil {
		return nil, nil, fmt.Errorf("the export has no %s", name)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, nil, err
	}
	if limit <= 0 {
		limit = 1 // not in the manifest: the file check reports it
	}
	return io.LimitReader(rc, limit), rc.Close, nil
}

// verifyCSV recomputes the chain from timeline.csv.
func verifyCSV(files map[string]*zip.File, caseID int64, limit int64) (cases.ChainResult, error) {
	r, closeFile, err := openFile(files, "timeline.csv", limit)
	if err != nil {
		return cases.ChainResult{}, err
	}
	defer closeFile()
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return cases.ChainResult{}, fmt.Errorf("timeline.csv has no header: %v", err)
	}
	idx, err := columnIndex(header)
	if err != nil {
		return cases.ChainResult{}, err
	}
	chain := cases.NewChain(caseID)
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return chain.Result, fmt.Errorf("timeline.csv line %d: %v", line, err)
		}
		r := Row{AtUTC: rec[idx["at_utc"]], Actor: rec[idx["actor"]], Kind: rec[idx["kind"]], Payload: json.RawMessage(rec[idx["payload"]]),
			PrevHash: rec[idx["prev_hash"]], Hash: rec[idx["hash"]]}
		var err1, err2 error
		r.CaseID, err1 = strconv.ParseInt(rec[idx["case_id"]], 10, 64)
		r.Seq, err2 = strconv.Atoi(rec[idx["seq"]])
		if err1 != nil || err2 != nil || r.CaseID != caseID {
			return chain.Result, fmt.Errorf("timeline.csv line %d: case_id or seq is not this case's", line)
		}
		e, err := r.event()
		if err != nil {
			return chain.Result, fmt.Errorf("timeline.csv line %d: %v", line, err)
		}
		if !chain.Add(e) {
			break
		}
	}
	return chain.Result, nil
}

// verifyJSON recomputes the chain from timeline.json, decoding one event
// at a time.
func verifyJSON(files map[string]*zip.File, caseID int64, limit int64) (cases.ChainResult, error) {
	r, closeFile, err := openFile(files, "timeline.json", limit)
	if err != nil {
		return cases.ChainResult{}, err
	}
	defer closeFile()
	dec := json.NewDecoder(r)
	bad := func(why string) (cases.ChainResult, error) {
		return cases.ChainResult{}, errors.New("timeline.json is not an exported timeline: " + why)
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return bad("no object")
	}
	for {
		t, err := dec.Token()
		if err != nil {
			return bad(err.Error())
		}
		if t == "events" {
			break
		}
		if _, ok := t.(string); !ok {
			return bad("no events")
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return bad(err.Error())
		}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return bad("events is not a list")
	}
	chain := cases.NewChain(caseID)
	for dec.More() {
		var r Row
		if err := dec.Decode(&r); err != nil {
			return chain.Result, fmt.Errorf("timeline.json event %d: %v", chain.Result.Events+1, err)
		}
		if r.CaseID != caseID {
			return chain.Result, fmt.Errorf("timeline.json event %d is not this case's", r.Seq)
		}
		e, err := r.event()
		if err != nil {
			return chain.Result, fmt.Errorf("timeline.json: %v", err)
		}
		if !chain.Add(e) {
			break
		}
	}
	return chain.Result, nil
}

// Package audit exports a case as a record an auditor and a regulator can
// trust (a ZIP of the hash-chained timeline as CSV and JSON, a readable
// report, the approved notices and a signed manifest), verifies such an
// export, and purges residents' personal data after the retention period.
// It knows nothing of HTTP.
package audit

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"breachdesk/internal/cases"
)

// TimelineColumns are timeline.csv's columns. An outside tool recomputes
// each hash as SHA-256 over the previous hash (32 zero bytes for the first
// event) followed by the JSON object {"actor","at","case","kind","payload",
// "seq"} with sorted keys, "at" as at_utc and "payload" as written.
// at_local, before and after are for people; the hash does not cover them.
var TimelineColumns = []string{"case_id", "seq", "at_utc", "at_local", "actor", "kind", "before", "after", "payload", "prev_hash", "hash"}

// Row is one timeline event as exported.
type Row struct {
	CaseID   int64           `json:"case_id"`
	Seq      int             `json:"seq"`
	AtUTC    string          `json:"at_utc"`
	AtLocal  string          `json:"at_local"`
	Actor    string          `json:"actor"`
	Kind     string          `json:"kind"`
	Before   json.RawMessage `json:"before,omitempty"`
	After    json.RawMessage `json:"after,omitempty"`
	Payload  json.RawMessage `json:"payload"`
	PrevHash string          `json:"prev_hash"`
	Hash     string          `json:"hash"`
}

// localLayout shows a time in the viewer's zone with the zone named.
const localLayout = "2006-01-02 15:04:05 MST"

// rowOf turns a stored event into an exported row.
func rowOf(e cases.Event, zone *time.Location) (Row, error) {
	payload, err := cases.CanonicalPayload(e.Payload)
	if err != nil {
		return Row{}, fmt.Errorf("event %d: %w", e.Seq, err)
	}
	r := Row{CaseID: e.CaseID, Seq: e.Seq, AtUTC: cases.EventTime(e.At), AtLocal: e.At.In(zone).Format(localLayout) + " (" + zone.String() + ")",
		Actor: e.Actor, Kind: e.Kind, Payload: json.RawMessage(payload), PrevHash: hex.EncodeToString(e.PrevHash), Hash: hex.EncodeToString(e.Hash)}
	r.Before, r.After = beforeAfter(e.Payload)
	return r, nil
}

// beforeAfter pulls what an event changed out of its payload: "from" and
// "to" (a status, an owner), or "changes" of a case edit ({field: {from,
// to}}). Events that change nothing have neither.
func beforeAfter(payload []byte) (before, after json.RawMessage) {
	var p struct {
		From    json.RawMessage `json:"from"`
		To      json.RawMessage `json:"to"`
		Changes map[string]struct {
			From json.RawMessage `json:"from"`
			To   json.RawMessage `json:"to"`
		} `json:"changes"`
	}
	if json.Unmarshal(payload, &p) != nil {
		return nil, nil
	}
	if p.From != nil || p.To != nil {
		return p.From, p.To
	}
	if len(p.Changes) == 0 {
		return nil, nil
	}
	b, a := map[string]json.RawMessage{}, map[string]json.RawMessage{}
	for f, ch := range p.Changes {
		b[f], a[f] = ch.From, ch.To
	}
	bj, _ := json.Marshal(b) // maps of raw JSON always encode
	aj, _ := json.Marshal(a)
	return bj, aj
}

// record is the CSV form of a row.
func (r Row) record() []string {
	return []string{fmt.Sprint(r.CaseID), fmt.Sprint(r.Seq), r.AtUTC, r.AtLocal, r.Actor, r.Kind, string(r.Before), string(r.After),
		string(r.Payload), r.PrevHash, r.Hash}
}

// event turns an exported row back into the event its hash covers.
func (r Row) event() (cases.Event, error) {
	at, err := time.Parse(time.RFC3339Nano, r.AtUTC)
	if err != nil {
		return cases.Event{}, fmt.Errorf("event %d: at_utc %q is not an RFC 3339 time", r.Seq, r.AtUTC)
	}
	prev, err1 := hex.DecodeString(r.PrevHash)
	hash, err2 := hex.DecodeString(r.Hash)
	if err1 != nil || err2 != nil {
		return cases.Event{}, fmt.Errorf("event %d: a hash is not hexadecimal", r.Seq)
	}
	return cases.Event{CaseID: r.CaseID, Seq: r.Seq, At: at, Actor: r.Actor, Kind: r.Kind, Payload: bytes.Clone(r.Payload), PrevHash: prev, Hash: hash}, nil
}

// columnIndex maps the CSV header to TimelineColumns, so a file whose
// columns were reordered still reads; it names a missing column.
func columnIndex(header []string) (map[string]int, error) {
	idx := map[string]int{}
	for i, h := range header {
		idx[h] = i
	}
	for _, c := range TimelineColumns {
		if _, ok := idx[c]; !ok && !slices.Contains([]string{"at_local", "before", "after"}, c) {
			return nil, fmt.Errorf("timeline.csv has no %s column", c)
		}
	}
	return idx, nil
}

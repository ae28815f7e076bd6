package audit

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
)

// Format names the export layout; Verify refuses others.
const Format = "breachdesk-case-export/1"

// Manifest describes an export: every file's hash, the case's chain head
// and who made it when. It is signed (manifest.sig) with the key derived
// from the master key, and its SHA-256 is recorded on the case timeline.
type Manifest struct {
	Format     string       `json:"format"`
	Case       ManifestCase `json:"case"`
	ExportedAt string       `json:"exported_at"`
	ExportedBy string       `json:"exported_by"`
	TimeZone   string       `json:"time_zone"`
	Timeline   ChainSummary `json:"timeline"`
	Files      []File       `json:"files"`
}

// ManifestCase names the case exported.
type ManifestCase struct {
	ID        int64  `json:"id"`
	Reference string `json:"reference"`
	Title     string `json:"title"`
}

// ChainSummary is the timeline as exported: how many events, the last
// one's hash, and whether the chain verified when it was read.
type ChainSummary struct {
	Events       int    `json:"events"`
	ChainHead    string `json:"chain_head"`
	IntactAtRead bool   `json:"intact_when_exported"`
	Problem      string `json:"problem,omitempty"`
}

// File is one file of the export.
type File struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

// Signature is manifest.sig: an Ed25519 signature over manifest.json's
// exact bytes.
type Signature struct {
	Algorithm string `json:"algorithm"`
	KeyID     string `json:"key_id"`
	PublicKey []byte `json:"public_key"`
	Signature []byte `json:"signature"`
}

// hashingWriter hashes and counts what passes through it.
type hashingWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func newHashingWriter(w io.Writer) *hashingWriter { return &hashingWriter{w: w, h: sha256.New()} }

func (hw *hashingWriter) Write(p []byte) (int, error) {
	n, err := hw.w.Write(p)
	hw.h.Write(p[:n])
	hw.n += int64(n)
	return n, err
}

func (hw *hashingWriter) sum() string { return hex.EncodeToString(hw.h.Sum(nil)) }

func sign(key ed25519.PrivateKey, keyID string, manifest []byte) Signature {
	return Signature{Algorithm: "ed25519", KeyID: keyID, PublicKey: key.Public().(ed25519.PublicKey), Signature: ed25519.Sign(key, manifest)}
}

package residents

import (
	"bufio"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// MasterKey wraps the per-case data keys. It never leaves the app server's
// configuration; the database holds only wrapped data keys.
type MasterKey struct {
	aead cipher.AEAD
	sign ed25519.PrivateKey
	// ID identifies the key (a hash prefix) so a wrong key is told apart
	// from tampered data.
	ID string
}

// ParseMasterKey reads a base64 (standard or URL alphabet, padded or not)
// 32-byte key.
func ParseMasterKey(s string) (MasterKey, error) {
	s = strings.TrimSpace(s)
	var raw []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw, err = enc.DecodeString(s); err == nil {
			break
		}
	}
	if err != nil || len(raw) != 32 {
		return MasterKey{}, errors.New("the master key must be 32 random bytes, base64-encoded (44 characters); make one with: head -c 32 /dev/urandom | base64")
	}
	return newMasterKey(raw)
}

// NewMasterKeyText returns a fresh random master key, base64-encoded.
func NewMasterKeyText() string {
	raw := make([]byte, 32)
	rand.Read(raw)
	return base64.StdEncoding.EncodeToString(raw)
}

func newMasterKey(raw []byte) (MasterKey, error) {
	block, err := aes.NewCipher(raw)
	if err != nil {
		return MasterKey{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return MasterKey{}, err
	}
	sum := sha256.Sum256(append([]byte("breachdesk-master-key-id:"), raw...))
	seed, err := hkdf.Key(sha256.New, raw, nil, "breachdesk-export-signing", ed25519.SeedSize)
	if err != nil {
		return MasterKey{}, err
	}
	return MasterKey{aead: aead, sign: ed25519.NewKeyFromSeed(seed), ID: hex.EncodeToString(sum[:8])}, nil
}

// SigningKey is the Ed25519 key that signs case exports, derived from the
// master key so there is no other secret to keep; its public half is
// recorded in the database (export_keys) so exports signed before a
// rotation still verify.
func (m MasterKey) SigningKey() ed25519.PrivateKey { return m.sign }

// SigningKeyID names a signing key by its public half.
func SigningKeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// RecordSigningKey stores the public half of master's signing key, so
// exports it signs verify after the master key is rotated.
func RecordSigningKey(ctx context.Context, q interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}, master MasterKey) error {
	pub := master.sign.Public().(ed25519.PublicKey)
	_, err := q.Exec(ctx, `INSERT INTO export_keys (key_id, public_key) VALUES ($1, $2) ON CONFLICT (key_id) DO NOTHING`, SigningKeyID(pub), []byte(pub))
	if err != nil {
		return fmt.Errorf("record signing key: %w", err)
	}
	return nil
}

func wrapAAD(caseID int64) []byte {
	return []byte("breachdesk-case-key:" + strconv.FormatInt(caseID, 10))
}

func (m MasterKey) wrap(caseID int64, dataKey []byte) []byte {
	nonce := make([]byte, m.aead.NonceSize())
	rand.Read(nonce)
	return m.aead.Seal(nonce, nonce, dataKey, wrapAAD(caseID))
}

func (m MasterKey) unwrap(caseID int64, wrapped []byte) ([]byte, error) {
	n := m.aead.NonceSize()
	if len(wrapped) < n {
		return nil, errors.New("wrapped key too short")
	}
	return m.aead.Open(nil, wrapped[:n], wrapped[n:], wrapAAD(caseID))
}

// Keyring hands out the data keys of cases, creating a case's key on first
// use. Data keys are random, one per case, stored wrapped by the master key.
type Keyring struct {
	pool   *pgxpool.Pool
	master MasterKey
}

// NewKeyring returns a Keyring on pool under master.
func NewKeyring(pool *pgxpool.Pool, master MasterKey) *Keyring {
	return &Keyring{pool: pool, master: master}
}

// ErrWrongMasterKey means a case key was wrapped by another master key.
var ErrWrongMasterKey = errors.New("the case's data key was wrapped by another master key: start the app with the master key it was created with")

// ErrKeyDestroyed means the case's personal data was purged with its key.
var ErrKeyDestroyed = errors.New("the case's data key has been destroyed; its personal data can no longer be read")

// CaseKey encrypts and blind-indexes one case's personal data.
type CaseKey struct {
	CaseID int64
	aead   cipher.AEAD
	blind  []byte
	aad    [fieldAddress + 1][]byte // what each field's encryption authenticates, by field number
}

// caseKey returns the data key of caseID, creating it inside tx when the
// case has none yet.
func (k *Keyring) caseKey(ctx context.Context, tx pgx.Tx, caseID int64) (*CaseKey, error) {
	fresh := make([]byte, 32)
	rand.Read(fresh)
	if _, err := tx.Exec(ctx, `INSERT INTO case_keys (case_id, wrapped_key, master_key_id) VALUES ($1, $2, $3)
		ON CONFLICT (case_id) DO NOTHING`, caseID, k.master.wrap(caseID, fresh), k.master.ID); err != nil {
		return nil, fmt.Errorf("create case key: %w", err)
	}
	return k.load(ctx, tx, caseID)
}

type queryRower interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// CaseKey returns the existing data key of caseID, for reading.
func (k *Keyring) CaseKey(ctx context.Context, caseID int64) (*CaseKey, error) {
	return k.load(ctx, k.pool, caseID)
}

func (k *Keyring) load(ctx context.Context, q queryRower, caseID int64) (*CaseKey, error) {
	var wrapped []byte
	var masterID string
	err := q.QueryRow(ctx, `SELECT wrapped_key, master_key_id FROM case_keys WHERE case_id = $1`, caseID).Scan(&wrapped, &masterID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrKeyDestroyed
	} else if err != nil {
		return nil, fmt.Errorf("load case key: %w", err)
	}
	if wrapped == nil {
		return nil, ErrKeyDestroyed
	}
	if masterID != k.master.ID {
		return nil, ErrWrongMasterKey
	}
	raw, err := k.master.unwrap(caseID, wrapped)
	if err != nil {
		return nil, fmt.Errorf("unwrap case key: %w", err)
	}
	return newCaseKey(caseID, raw)
}

func newCaseKey(caseID int64, raw []byte) (*CaseKey, error) {
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, raw)
	mac.Write([]byte("breachdesk-blind-index"))
	k := &CaseKey{CaseID: caseID, aead: aead, blind: mac.Sum(nil)}
	for n, name := range fieldNames {
		k.aad[n] = fieldAAD(caseID, name)
	}
	return k, nil
}

// Rotate rewraps every case's data key from the old master key to next, in
// one transaction; resident rows are not touched. It returns how many keys
// it rewrapped.
func (k *Keyring) Rotate(ctx context.Context, next MasterKey) (int, error) {
	n := 0
	err := pgx.BeginFunc(ctx, k.pool, func(tx pgx.Tx) error {
		// Exports signed under the old key must still verify.
		for _, m := range []MasterKey{k.master, next} {
			if err := RecordSigningKey(ctx, tx, m); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, `SELECT case_id, wrapped_key, master_key_id FROM case_keys WHERE wrapped_key IS NOT NULL FOR UPDATE`)
		if err != nil {
			return err
		}
		type row struct {
			id       int64
			wrapped  []byte
			masterID string
		}
		all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
			var x row
			return x, r.Scan(&x.id, &x.wrapped, &x.masterID)
		})
		if err != nil {
			return err
		}
		for _, r := range all {
			if r.masterID == next.ID {
				continue
			}
			if r.masterID != k.master.ID {
				return fmt.Errorf("case %d: %w", r.id, ErrWrongMasterKey)
			}
			raw, err := k.master.unwrap(r.id, r.wrapped)
			if err != nil {
				return fmt.Errorf("case %d: unwrap: %w", r.id, err)
			}
			if _, err := tx.Exec(ctx, `UPDATE case_keys SET wrapped_key = $2, master_key_id = $3, rotated_at = now() WHERE case_id = $1`,
				r.id, next.wrap(r.id, raw), next.ID); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// Sealer encrypts fields with a case key. It buffers randomness for nonces
// and is not safe for concurrent use: give each goroutine its own. Its
// methods append to the caller's buffer, so an import writes sealed values
// straight into the rows it sends and allocates nothing a row.
type Sealer struct {
	key   *CaseKey
	rand  *bufio.Reader
	mac   hash.Hash
	sum   [sha256.Size]byte
	in    []byte // scratch for what a blind index hashes
	nonce [12]byte
	plain []byte // scratch for plaintext
}

// Sealer returns a new Sealer on the key.
func (c *CaseKey) Sealer() *Sealer {
	return &Sealer{key: c, rand: bufio.NewReaderSize(rand.Reader, 64<<10), mac: hmac.New(sha256.New, c.blind)}
}

// AppendBlind appends the keyed hash (HMAC-SHA-256, first 8 bytes) of a
// normalised value of a kind ("email", "crm_id", "name_address"), for
// finding duplicates without storing the value; an empty value appends
// nothing.
func (s *Sealer) AppendBlind(dst []byte, kind string, normalized []byte) []byte {
	if len(normalized) == 0 {
		return dst
	}
	// One Write of a reused buffer: three, with their conversions to
	// []byte, cost an import of a million rows a third of a second.
	s.in = append(append(append(s.in[:0], kind...), 0), normalized...)
	s.mac.Reset()
	s.mac.Write(s.in)
	return append(dst, s.mac.Sum(s.sum[:0])[:blindSize]...)
}

// blindSize is the length of a blind index: 8 bytes keep the chance of two
// different values colliding within a case of millions negligible (about
// 1 in 10^7 for 10^6 records) while keeping rows small.
const blindSize = 8

func fieldAAD(caseID int64, field string) []byte {
	return []byte(strconv.FormatInt(caseID, 10) + ":" + field)
}

// Encrypted fields of a resident and their numbers in the row's nonces.
const (
	fieldCRMID   byte = 1
	fieldName    byte = 2
	fieldEmail   byte = 3
	fieldPhone   byte = 4
	fieldAddress byte = 5
)

var fieldNames = map[byte]string{fieldCRMID: "crm_id", fieldName: "name", fieldEmail: "email", fieldPhone: "phone", fieldAddress: "address"}

// rowNonceSize is the random part of a row's nonces; the twelfth byte is
// the field number, so each (row, field) has its own GCM nonce.
const rowNonceSize = 11

// AppendRowNonce appends a fresh random nonce prefix for one row.
func (s *Sealer) AppendRowNonce(dst []byte) []byte {
	dst = append(dst, make([]byte, rowNonceSize)...)
	if _, err := io.ReadFull(s.rand, dst[len(dst)-rowNonceSize:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return dst
}

// AppendField appends field n of a row encrypted with AES-256-GCM: its
// parts joined by 0x1F (a name is first, last and full; an address is
// street, city and postal code). It appends nothing when every part is
// empty. The case and field are authenticated, so a value copied to
// another field, row or case does not decrypt.
func (s *Sealer) AppendField(dst, rowNonce []byte, n byte, parts ...string) []byte {
	s.plain = s.plain[:0]
	empty := true
	for i, p := range parts {
		if i > 0 {
			s.plain = append(s.plain, 0x1f)
		}
		s.plain = append(s.plain, p...)
		empty = empty && p == ""
	}
	if empty {
		return dst
	}
	copy(s.nonce[:], rowNonce) // a field, not a local that escapes to the heap on every call
	s.nonce[11] = n
	return s.key.aead.Seal(dst, s.nonce[:], s.plain, s.key.aad[n])
}

// splitParts splits a composite field (parts joined by 0x1F, see
// Sealer.AppendField) into n parts.
func splitParts(s string, n int) []string {
	out := strings.SplitN(s, "\x1f", n)
	for len(out) < n {
		out = append(out, "")
	}
	return out
}

// Open decrypts a resident's personal data from its sealed fields,
// indexed by field number less one (nil for fields absent or not read). A
// nil nonce is a purged row: no data, no error.
func (c *CaseKey) Open(rowNonce []byte, sealed [5][]byte) (Clear, error) {
	if rowNonce == nil {
		return Clear{}, nil
	}
	var vals [5]string
	for i := range sealed {
		v, err := c.OpenField(rowNonce, byte(i+1), sealed[i])
		if err != nil {
			return Clear{}, err
		}
		vals[i] = v
	}
	name, addr := splitParts(vals[fieldName-1], 3), splitParts(vals[fieldAddress-1], 3)
	return Clear{CRMID: vals[fieldCRMID-1], First: name[0], Last: name[1], Full: name[2], Email: vals[fieldEmail-1],
		Phone: vals[fieldPhone-1], Street: addr[0], City: addr[1], PostalCode: addr[2]}, nil
}

// OpenField decrypts field n of a row; nil is "".
func (c *CaseKey) OpenField(rowNonce []byte, n byte, sealed []byte) (string, error) {
	if sealed == nil {
		return "", nil
	}
	if len(rowNonce) != rowNonceSize {
		return "", errors.New("bad row nonce")
	}
	var nonce [12]byte
	copy(nonce[:], rowNonce)
	nonce[11] = n
	plain, err := c.aead.Open(nil, nonce[:], sealed, c.aad[n])
	if err != nil {
		return "", fmt.Errorf("decrypt %s: %w", fieldNames[n], err)
	}
	return string(plain), nil
}

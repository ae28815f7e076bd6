package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// config is every setting, read from the environment (see README.md).
type config struct {
	ListenAddr      string        // LISTEN_ADDR
	DatabaseURL     string        // DATABASE_URL
	DataDir         string        // BREACHDESK_DATA
	BaseURL         string        // BREACHDESK_BASE_URL
	PGAccount       string        // BREACHDESK_PG_ACCOUNT
	DBWait          time.Duration // BREACHDESK_DB_WAIT
	SessionIdle     time.Duration // BREACHDESK_SESSION_IDLE
	SessionLifetime time.Duration // BREACHDESK_SESSION_LIFETIME
	TLSCert         string        // BREACHDESK_TLS_CERT
	TLSKey          string        // BREACHDESK_TLS_KEY
	TrustProxy      bool          // BREACHDESK_TRUST_PROXY
	LogFormat       string        // BREACHDESK_LOG_FORMAT: auto, json or text
	LogLevel        string        // BREACHDESK_LOG_LEVEL
	MasterKey       string        // BREACHDESK_MASTER_KEY
	MasterKeyFile   string        // BREACHDESK_MASTER_KEY_FILE
	HomeCountry     string        // BREACHDESK_HOME_COUNTRY
	ImportWorkers   int           // BREACHDESK_IMPORT_WORKERS
}

func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		ListenAddr:    or(getenv("LISTEN_ADDR"), "127.0.0.1:8080"),
		DatabaseURL:   getenv("DATABASE_URL"),
		DataDir:       or(getenv("BREACHDESK_DATA"), "./data"),
		BaseURL:       strings.TrimRight(getenv("BREACHDESK_BASE_URL"), "/"),
		PGAccount:     or(getenv("BREACHDESK_PG_ACCOUNT"), "breachdesk"),
		TLSCert:       getenv("BREACHDESK_TLS_CERT"),
		TLSKey:        getenv("BREACHDESK_TLS_KEY"),
		LogFormat:     or(getenv("BREACHDESK_LOG_FORMAT"), "auto"),
		LogLevel:      or(getenv("BREACHDESK_LOG_LEVEL"), "info"),
		MasterKey:     getenv("BREACHDESK_MASTER_KEY"),
		MasterKeyFile: getenv("BREACHDESK_MASTER_KEY_FILE"),
		HomeCountry:   strings.ToUpper(or(getenv("BREACHDESK_HOME_COUNTRY"), "US")),
		ImportWorkers: 1,
	}
	var errs []string
	duration := func(name, def string) time.Duration {
		v := or(getenv(name), def)
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Sprintf("%s=%q is not a positive duration such as 30m or 12h", name, v))
		}
		return d
	}
	c.DBWait = duration("BREACHDESK_DB_WAIT", "30s")
	c.SessionIdle = duration("BREACHDESK_SESSION_IDLE", "30m")
	c.SessionLifetime = duration("BREACHDESK_SESSION_LIFETIME", "12h")
	if v := getenv("BREACHDESK_TRUST_PROXY"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Sprintf("BREACHDESK_TRUST_PROXY=%q is not true or false", v))
		}
		c.TrustProxy = b
	}
	if v := getenv("BREACHDESK_IMPORT_WORKERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 16 {
			errs = append(errs, fmt.Sprintf("BREACHDESK_IMPORT_WORKERS=%q is not a number from 1 to 16", v))
		}
		c.ImportWorkers = n
	}
	if len(c.HomeCountry) != 2 {
		errs = append(errs, fmt.Sprintf("BREACHDESK_HOME_COUNTRY=%q is not a two-letter ISO country code", c.HomeCountry))
	}
	if c.MasterKey != "" && c.MasterKeyFile != "" {
		errs = append(errs, "BREACHDESK_MASTER_KEY and BREACHDESK_MASTER_KEY_FILE: set one, not both")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, "BREACHDESK_TLS_CERT and BREACHDESK_TLS_KEY go together: set both or neither")
	}
	switch c.LogFormat {
	case "auto", "json", "text":
	default:
		errs = append(errs, fmt.Sprintf("BREACHDESK_LOG_FORMAT=%q: use auto, json or text", c.LogFormat))
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

// secure reports whether the app is reached over TLS.
func (c config) secure() bool {
	return c.TLSCert != "" || strings.HasPrefix(c.BaseURL, "https://")
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

package templates

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"breachdesk/internal/cases"
)

// describe turns an event's payload into one readable line; the raw
// payload stays available beside it for auditors.
func describe(e cases.Event) string {
	var p map[string]any
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return ""
	}
	s := func(k string) string {
		if v, ok := p[k]; ok && v != nil {
			return fmt.Sprint(v)
		}
		return ""
	}
	withReason := func(text string) string {
		if r := s("reason"); r != "" {
			return text + " Reason: " + r
		}
		return text
	}
	switch e.Kind {
	case "case.opened":
		return fmt.Sprintf("Case %s opened with %s tasks.", s("reference"), s("tasks"))
	case "case.updated":
		changes, _ := p["changes"].(map[string]any)
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(changes)) {
			c, _ := changes[k].(map[string]any)
			parts = append(parts, fmt.Sprintf("%s: %s → %s", strings.ReplaceAll(k, "_", " "), shown(c["from"]), shown(c["to"])))
		}
		return withReason("Changed " + strings.Join(parts, "; ") + ".")
	case "case.status", "case.closed", "case.reopened":
		return withReason(fmt.Sprintf("Status %s → %s.", s("from"), s("to")))
	case "note":
		return s("text")
	case "clock.added":
		return fmt.Sprintf("Clock “%s” of %s hours, due %s.", s("label"), s("hours"), s("due"))
	case "task.status":
		return withReason(fmt.Sprintf("Task “%s”: %s → %s.", s("title"), s("from"), s("to")))
	case "task.owner":
		return fmt.Sprintf("Task “%s” reassigned: %s → %s.", s("title"), shown(p["from"]), s("to"))
	case "task.environments":
		return fmt.Sprintf("Task “%s” tracked per environment.", s("task"))
	case "task.environment":
		return fmt.Sprintf("%s: %s → %s. %s", s("environment"), s("from"), s("to"), s("note"))
	case "evidence.added":
		if f := s("file_name"); f != "" {
			return fmt.Sprintf("Evidence on “%s”: %s (%s, %s bytes, SHA-256 %s).", s("task"), s("note"), f, s("size"), s("sha256"))
		}
		return fmt.Sprintf("Evidence on “%s”: %s", s("task"), s("note"))
	case "evidence.downloaded":
		return fmt.Sprintf("Downloaded %s (SHA-256 %s).", s("file_name"), s("sha256"))
	}
	return ""
}

func shown(v any) string {
	switch x := v.(type) {
	case nil:
		return "not known"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = fmt.Sprint(e)
		}
		if len(parts) == 0 {
			return "none"
		}
		return strings.Join(parts, ", ")
	case string:
		if x == "" {
			return "empty"
		}
		return x
	}
	return fmt.Sprint(v)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

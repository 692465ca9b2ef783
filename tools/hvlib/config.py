"""--set: rewrite one key of the configuration copied onto the ESP.

The configuration (docs/configuration.md) is INI-like: "[section]" header
lines, "key = value" lines, '#' or ';' starting a comment at the start of a
line or after a value; there is no quoting. A rewrite replaces the value of one
key in one section, or adds the key (and the section) when absent. Every other
byte stays as written (comments, blank lines, key order, line endings, a
comment after the value, kept in its column when it fits), so the hypervisor's
log of the configuration reads like the user's own file with only the
asked-for changes. Section names compare with runs of blanks folded, as the
hypervisor's parser trims them: "partition  parent" is "partition parent".

Ambiguity is refused rather than guessed: a section that appears twice, or a
key that appears twice in its section, makes --set fail with a message.
"""
import re


class ConfigError(Exception):
    """A --set the configuration cannot take; the message says why."""


_HEADER = re.compile(r"\s*\[([^\]]*)\]\s*(?:[#;].*)?")
_COMMENT = "#;"


def _line_ending(lines):
    for line in lines:
        if line.endswith("\r\n"):
            return "\r\n"
        if line.endswith("\n"):
            return "\n"
    return "\n"


def _body(line):
    return line.rstrip("\r\n")


def _section_name(line):
    m = _HEADER.fullmatch(_body(line))
    return _fold(m.group(1)) if m else None


def _fold(name):
    return " ".join(name.split())


def _key_of(line):
    text = _body(line).strip()
    if not text or text[0] in _COMMENT + "[" or "=" not in text:
        return None
    return text.split("=", 1)[0].strip()


def _regions(lines):
    """(name, first line after the header, end) per section; "" = before any."""
    regions = []
    name, start = "", 0
    for i, line in enumerate(lines):
        header = _section_name(line)
        if header is not None:
            regions.append((name, start, i))
            name, start = header, i + 1
    regions.append((name, start, len(lines)))
    return regions


def _assign_style(lines):
    """" = " or "=": whichever the file's first key line uses."""
    for line in lines:
        if _key_of(line) is not None:
            before = _body(line).split("=", 1)[0]
            return " = " if before.endswith((" ", "\t")) else "="
    return " = "


def _split_value(rest):
    """Text after '=' -> (blanks before the value, value, blanks, comment)."""
    cut = min([rest.index(c) for c in _COMMENT if c in rest] + [len(rest)])
    comment = rest[cut:]
    text = rest[:cut].rstrip(" \t")
    gap = rest[len(text):cut]
    value = text.lstrip(" \t")
    return text[:len(text) - len(value)], value, gap, comment


def _replace_value(line, value):
    body = _body(line)
    ending = line[len(body):]
    head, _, rest = body.partition("=")
    lead, old, gap, comment = _split_value(rest)
    if comment and "\t" not in gap:
        # Keep the comment's column when the new value leaves room for it.
        gap = " " * max(len(old) + len(gap) - len(value), 1)
    return head + "=" + lead + value + (gap + comment if comment else "") + ending


def _is_comment(line):
    text = _body(line).strip()
    return bool(text) and text[0] in _COMMENT


def _insert_at(lines, start, end):
    """After the region's last key; in a region without keys, after its header
    or, before the first section, after the file's opening comment."""
    keys = [i for i in range(start, end) if _key_of(lines[i]) is not None]
    if keys:
        return keys[-1] + 1
    pos = start
    if start == 0:
        while pos < end and _is_comment(lines[pos]):
            pos += 1
    return pos


def _ensure_newline(lines, pos, eol):
    if pos > 0 and not lines[pos - 1].endswith("\n"):
        lines[pos - 1] += eol


def _add_key(lines, start, end, key, value):
    eol = _line_ending(lines)
    pos = _insert_at(lines, start, end)
    _ensure_newline(lines, pos, eol)
    lines.insert(pos, key + _assign_style(lines) + value + eol)


def _add_section(lines, section, key, value):
    eol = _line_ending(lines)
    _ensure_newline(lines, len(lines), eol)
    if lines and _body(lines[-1]).strip():
        lines.append(eol)
    lines.append("[" + section + "]" + eol)
    lines.append(key + _assign_style(lines) + value + eol)


def _set_in_region(lines, section, start, end, key, value):
    hits = [i for i in range(start, end) if _key_of(lines[i]) == key]
    if len(hits) > 1:
        raise ConfigError("key %r appears %d times in [%s]: --set cannot choose"
                          % (key, len(hits), section))
    if hits:
        lines[hits[0]] = _replace_value(lines[hits[0]], value)
    else:
        _add_key(lines, start, end, key, value)


def split_assignment(text):
    """"SECTION.KEY=VALUE" -> (section, key, value); a section may contain dots."""
    name, _, value = text.partition("=")
    section, _, key = name.strip().rpartition(".")
    section = _fold(section)
    if not key or re.search(r"[\s\[\]=#;]", key):
        raise ConfigError("bad key in --set %r" % text)
    if re.search(r"[\[\]\r\n]", section) or re.search(r"[\r\n]", value):
        raise ConfigError("bad section or value in --set %r" % text)
    return section, key, value.strip()


def apply_set(text, assignment):
    """Return text with one "SECTION.KEY=VALUE" assignment applied."""
    section, key, value = split_assignment(assignment)
    lines = text.splitlines(keepends=True)
    matches = [r for r in _regions(lines) if r[0] == section]
    if len(matches) > 1:
        raise ConfigError("section [%s] appears %d times: --set cannot choose"
                          % (section, len(matches)))
    if matches:
        _, start, end = matches[0]
        _set_in_region(lines, section, start, end, key, value)
    else:
        _add_section(lines, section, key, value)
    return "".join(lines)


def apply_sets(text, assignments):
    for assignment in assignments:
        text = apply_set(text, assignment)
    return text


def read_text(path):
    # Bytes that are not UTF-8 survive the round trip unchanged.
    with open(path, "r", encoding="utf-8", errors="surrogateescape", newline="") as f:
        return f.read()


def encode(text):
    return text.encode("utf-8", errors="surrogateescape")

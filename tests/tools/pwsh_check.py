"""Static checks for the collection's PowerShell modules, without a PowerShell engine.

No PowerShell interpreter exists on the machines that build this collection, and ``ansible-test
sanity`` skips the spec-versus-documentation comparison of ``.ps1`` modules without one. This script
does both parts that can be done statically:

1. parse every ``.ps1`` / ``.psm1`` with the ``tree-sitter-pwsh`` grammar and report syntax errors;
2. for a module (a ``.ps1`` with a documentation stub beside it, ``.py`` or ``.yml``): read the literal
   ``$spec = @{ options = @{ ... } }`` and every ``$module.Result.<key>`` assignment and compare them
   with the stub's DOCUMENTATION options and RETURN keys;
3. the layout rules of ansible-test's ``pslint`` settings (``settings.psd1``) that need no engine:
   ``PSAvoidLongLines`` (160), ``PSPlaceOpenBrace`` (on the same line, a new line after it),
   ``PSPlaceCloseBrace`` (on its own line, a new line after it), ``PSUseConsistentIndentation`` (4
   spaces per open brace or parenthesis, one more for a pipeline continued on the next line) and
   ``PSAvoidSemicolonsAsLineTerminators``;
4. a method called on a property that may be ``$null`` (a property of the pipeline object ``$_``, or
   one that older .NET Framework lacks, such as ``ServiceController.StartType``): it throws where the
   property is missing;
5. ``Get-WinEvent`` with a filter (``-FilterHashtable``, ``-FilterXPath``, ``-FilterXml``) and
   ``-ErrorAction Stop`` outside a ``try`` whose ``catch`` handles ``NoMatchingEventsFound``: Windows
   PowerShell 5.1 reports "no events match" as an error, so an empty answer would fail the read.

Usage: ``pwsh_check.py [PATH ...]`` (files or directories; default ``plugins``). Exit 0 when clean,
1 with one line per problem otherwise.
"""
import ast
import os
import sys

import tree_sitter_pwsh
import yaml
from tree_sitter import Language, Parser

_PARSER = Parser(Language(tree_sitter_pwsh.language()))

# Option keys of an Ansible.Basic spec that have a DOCUMENTATION counterpart of the same name.
_COMPARED_KEYS = ("type", "required", "default", "choices", "elements", "aliases")
_SPEC_DEFAULTS = {"type": "str", "required": False, "default": None, "choices": None,
                  "elements": None, "aliases": None}
# Keys every module may return without documenting them (Ansible's own result keys).
_COMMON_RESULT_KEYS = {"changed", "failed", "msg", "skipped", "warnings", "deprecations", "invocation"}


class Unknown:
    """A value that is not a literal (an expression, a variable): compared as unknown."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return "<expression %s>" % self.text

    def __eq__(self, other):
        return isinstance(other, Unknown) and other.text == self.text

    def __hash__(self):
        return hash(self.text)


def parse(source):
    """Parse PowerShell source (bytes); return the tree."""
    return _PARSER.parse(source)


def syntax_errors(tree, source):
    """Return ``[(line, text)]`` for every error or missing node of the tree."""
    found = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            text = source[node.start_byte:node.end_byte].decode("utf-8", "replace")
            found.append((node.start_point[0] + 1, "missing %s" % node.type if node.is_missing
                          else "cannot parse %r" % text[:60]))
            continue
        if node.has_error:
            stack.extend(node.children)
    return sorted(found)


def _text(node, source):
    return source[node.start_byte:node.end_byte].decode("utf-8", "replace")


def _unwrap(node):
    """Descend through single-child wrappers (pipeline, pipeline_chain, unary_expression...)."""
    while node.type in ("pipeline", "pipeline_chain", "unary_expression", "assignment_value",
                        "left_assignment_expression",
                        "statement_list", "parenthesized_expression") and node.named_child_count == 1:
        node = node.named_children[0]
    return node


def literal(node, source):
    """Convert a literal PowerShell expression node into a Python value, or ``Unknown``."""
    node = _unwrap(node)
    kind = node.type
    if kind == "hash_literal_expression":
        result = {}
        body = next((c for c in node.named_children if c.type == "hash_literal_body"), None)
        for entry in body.named_children if body is not None else []:
            if entry.type != "hash_entry":
                continue
            key_node = entry.child_by_field_name("key") or entry.named_children[0]
            value_node = entry.named_children[-1]
            key = literal(key_node, source) if key_node.type != "key_expression" else \
                _key_name(key_node, source)
            result[key] = literal(value_node, source)
        return result
    if kind == "array_expression":
        inner = list(node.named_children)
        if not inner:
            return []
        value = literal(inner[0], source)
        return value if isinstance(value, list) else [value]
    if kind == "array_literal_expression":
        return [literal(c, source) for c in node.named_children]
    if kind == "string_literal":
        child = node.named_children[0] if node.named_children else None
        text = _text(node, source)
        if child is not None and child.type == "expandable_string_literal":
            if any(c.type in ("variable", "sub_expression") for c in child.named_children):
                return Unknown(text)
        return text[1:-1]
    if kind == "integer_literal":
        try:
            return int(_text(node, source), 0)
        except ValueError:
            return Unknown(_text(node, source))
    if kind == "real_literal":
        return float(_text(node, source))
    if kind == "variable":
        name = _text(node, source).lower()
        if name in ("$true", "$false", "$null"):
            return {"$true": True, "$false": False, "$null": None}[name]
    if kind == "key_expression":
        return _key_name(node, source)
    return Unknown(_text(node, source))


def _key_name(node, source):
    text = _text(node, source).strip()
    if text[:1] in ("'", '"') and text[-1:] == text[:1]:
        return text[1:-1]
    return text


def _walk(node):
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def _is_var(node, source, name):
    return node.type == "variable" and _text(node, source).lower() == name.lower()


def find_spec(tree, source):
    """Return the literal value of the first ``$spec = @{...}`` assignment, or None."""
    for node in _walk(tree.root_node):
        if node.type != "assignment_expression":
            continue
        left = _unwrap(node.named_children[0])
        if _is_var(left, source, "$spec"):
            return literal(node.named_children[-1], source)
    return None


def find_result_keys(tree, source):
    """Return ``{key: line}`` for every ``$module.Result.<key>`` or ``$module.Result['key']``."""
    keys = {}
    for node in _walk(tree.root_node):
        if node.type not in ("member_access", "element_access"):
            continue
        if len(node.named_children) < 2:
            continue
        target = node.named_children[0]
        if target.type != "member_access" or len(target.named_children) != 2:
            continue
        if not _is_var(target.named_children[0], source, "$module"):
            continue
        if _text(target.named_children[1], source).lower() != "result":
            continue
        member = node.named_children[1]
        key = literal(member, source) if node.type == "element_access" else _text(member, source)
        if isinstance(key, str):
            keys.setdefault(key, node.start_point[0] + 1)
    return keys


def load_stub(ps1_path):
    """Return (documentation, returns, stub path) from the ``.py`` or ``.yml`` stub, or Nones."""
    base = os.path.splitext(ps1_path)[0]
    if os.path.exists(base + ".py"):
        with open(base + ".py", encoding="utf-8") as handle:
            module = ast.parse(handle.read())
        strings = {}
        for node in module.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        strings[target.id] = node.value.value
        return (yaml.safe_load(strings.get("DOCUMENTATION") or "") or {},
                yaml.safe_load(strings.get("RETURN") or "") or {}, base + ".py")
    if os.path.exists(base + ".yml"):
        with open(base + ".yml", encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
        return data.get("DOCUMENTATION") or {}, data.get("RETURN") or {}, base + ".yml"
    return None, None, None


def _normalise(option, keys_from):
    return {key: option.get(key, _SPEC_DEFAULTS[key]) for key in keys_from}


def compare_options(spec_options, doc_options, prefix=""):
    """Yield problems where the spec's options and the documented options differ."""
    spec_options = spec_options or {}
    doc_options = doc_options or {}
    for name in sorted(set(spec_options) - set(doc_options)):
        yield "option %s%s is in $spec but not documented" % (prefix, name)
    for name in sorted(set(doc_options) - set(spec_options)):
        yield "option %s%s is documented but not in $spec" % (prefix, name)
    for name in sorted(set(spec_options) & set(doc_options)):
        spec = spec_options[name] if isinstance(spec_options[name], dict) else {}
        doc = doc_options[name] or {}
        spec_n = _normalise(spec, _COMPARED_KEYS)
        doc_n = _normalise(doc, _COMPARED_KEYS)
        for key in _COMPARED_KEYS:
            spec_value, doc_value = spec_n[key], doc_n[key]
            if isinstance(spec_value, Unknown):
                continue
            if key in ("choices", "aliases") and spec_value is not None and doc_value is not None:
                spec_value, doc_value = sorted(map(str, spec_value)), sorted(map(str, doc_value))
            if spec_value != doc_value:
                yield "option %s%s: %s is %r in $spec but %r in the documentation" % (
                    prefix, name, key, spec_value, doc_value)
        sub_spec = spec.get("options")
        sub_doc = doc.get("suboptions")
        if sub_spec or sub_doc:
            yield from compare_options(sub_spec, sub_doc, prefix="%s%s." % (prefix, name))


def check_module(ps1_path, spec, result_keys):
    """Yield problems comparing a module's spec and result keys with its documentation stub."""
    documentation, returns, stub = load_stub(ps1_path)
    if stub is None:
        return
    if not isinstance(spec, dict):
        yield "no literal $spec = @{ ... } found (a module spec must be a literal hashtable)"
        return
    yield from compare_options(spec.get("options"), documentation.get("options"))
    check_mode = bool(spec.get("supports_check_mode", False))
    documented = ((documentation.get("attributes") or {}).get("check_mode") or {}).get("support")
    if documented is not None and (documented != "none") != check_mode:
        yield "supports_check_mode is %s in $spec but attributes.check_mode.support is %r" % (
            check_mode, documented)
    for key in sorted(set(result_keys) - set(returns) - _COMMON_RESULT_KEYS):
        yield "result key %r (line %d) is not documented in RETURN" % (key, result_keys[key])
    for key in sorted(set(returns) - set(result_keys)):
        yield "RETURN documents %r but the module never sets $module.Result.%s" % (key, key)


MAX_LINE_LENGTH = 160
INDENT = 4
_OPENERS = ("{", "@{", "(", "@(", "$(")
_CLOSERS = ("}", ")")
_BRANCH_KEYWORDS = ("else", "elseif", "catch", "finally")
_LEAF_TYPES = ("comment", "string_literal", "expandable_string_literal", "verbatim_string_characters",
               "expandable_here_string_literal", "verbatim_here_string_characters")
# Properties that do not exist on every .NET Framework a Windows PowerShell 5.1 host may run.
MAYBE_NULL_PROPERTIES = {
    "starttype": "ServiceController.StartType needs .NET Framework 4.6.1",
}


def _tokens(tree):
    """The leaf tokens of the tree in source order; a string or a comment is one token."""
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.child_count == 0 or node.type in _LEAF_TYPES:
            if node.end_byte > node.start_byte and node.type.strip():
                yield node
            continue
        stack.extend(reversed(node.children))


def layout_problems(tree, source):
    """Return ``[(line, text)]`` for the pslint layout rules that a parser can check."""
    lines = source.decode("utf-8", "replace").split("\n")
    found = []
    for number, line in enumerate(lines, 1):
        if len(line.rstrip("\r")) > MAX_LINE_LENGTH:
            found.append((number, "line is %d characters long, more than %d (PSAvoidLongLines)"
                          % (len(line.rstrip("\r")), MAX_LINE_LENGTH)))
    tokens = list(_tokens(tree))
    by_line = {}
    for token in tokens:
        by_line.setdefault(token.start_point[0], []).append(token)
    pairs = {}
    stack = []
    for index, token in enumerate(tokens):
        if token.type in _OPENERS:
            stack.append(index)
        elif token.type in _CLOSERS and stack:
            pairs[stack.pop()] = index
    closer_of = dict((close, open_) for open_, close in pairs.items())
    for index, token in enumerate(tokens):
        row = token.start_point[0]
        first = by_line[row][0] is token
        last = by_line[row][-1] is token
        nxt = tokens[index + 1] if index + 1 < len(tokens) else None
        same_line_next = nxt is not None and nxt.start_point[0] == row
        if token.type == "{":
            multi = index in pairs and tokens[pairs[index]].start_point[0] != row
            if first and index > 0 and tokens[index - 1].type not in _OPENERS:
                found.append((row + 1, "open brace on a line of its own; put it on the line before "
                              "(PSPlaceOpenBrace)"))
            if multi and same_line_next and nxt.type != "comment":
                found.append((row + 1, "no new line after an open brace (PSPlaceOpenBrace)"))
        if token.type == "}" and index in closer_of:
            opener = tokens[closer_of[index]]
            if opener.start_point[0] != row and not first:
                found.append((row + 1, "close brace not on a line of its own (PSPlaceCloseBrace)"))
            if same_line_next and _text(nxt, source).lower() in _BRANCH_KEYWORDS:
                found.append((row + 1, "no new line after a close brace, before %r (PSPlaceCloseBrace)"
                              % _text(nxt, source)))
        if token.type == ";" and last:
            found.append((row + 1, "semicolon at the end of a line (PSAvoidSemicolonsAsLineTerminators)"))
    found.extend(_indentation_problems(tokens, by_line, lines))
    return sorted(set(found))


def _indentation_problems(tokens, by_line, lines):
    found = []
    level = 0
    continued = False  # the previous line ended with a pipe
    for row in sorted(by_line):
        line_tokens = by_line[row]
        first = line_tokens[0]
        expected = level - (1 if first.type in _CLOSERS else 0) + (1 if continued else 0)
        text = lines[row]
        indent = text[:len(text) - len(text.lstrip(" \t"))]
        if "\t" in indent:
            found.append((row + 1, "indentation with a tab; use %d spaces (PSUseConsistentIndentation)" % INDENT))
        elif len(indent) != max(expected, 0) * INDENT:
            found.append((row + 1, "indented %d spaces, expected %d (PSUseConsistentIndentation)"
                          % (len(indent), max(expected, 0) * INDENT)))
        for token in line_tokens:
            if token.type in _OPENERS:
                level += 1
            elif token.type in _CLOSERS:
                level -= 1
        ending = [t for t in line_tokens if t.type != "comment"]
        continued = bool(ending) and ending[-1].type == "|"
    return found


def null_property_calls(tree, source):
    """Return ``[(line, text)]`` for a method called on a property that may be ``$null``."""
    found = []
    for node in _walk(tree.root_node):
        if node.type != "invocation_expression" or not node.named_children:
            continue
        target = node.named_children[0]
        if target.type != "member_access" or len(target.named_children) < 2:
            continue
        owner = _text(target.named_children[0], source).lower()
        prop = _text(target.named_children[-1], source)
        why = MAYBE_NULL_PROPERTIES.get(prop.lower())
        if why is None and owner in ("$_", "$psitem"):
            why = "a property of the pipeline object may be missing"
        if why:
            found.append((node.start_point[0] + 1, "method call on %s, which may be $null (%s): cast it, "
                          "for example [String], or read it in its own try" % (_text(target, source), why)))
    return found


_EVENT_FILTERS = ("-filterhashtable", "-filterxpath", "-filterxml")


def unhandled_no_events(tree, source):
    """Return ``[(line, text)]`` for a filtered ``Get-WinEvent -ErrorAction Stop`` whose "no events" error
    (``NoMatchingEventsFound``) no enclosing ``catch`` handles."""
    found = []
    for node in _walk(tree.root_node):
        if node.type != "command" or not node.named_children:
            continue
        if _text(node.named_children[0], source).lower() != "get-winevent":
            continue
        words = _text(node, source).lower().split()
        if not any(f in words for f in _EVENT_FILTERS) or "stop" not in words:
            continue
        handled = False
        parent = node.parent
        while parent is not None and not handled:
            if parent.type == "try_statement":
                handled = any("noMatchingEventsFound".lower() in _text(c, source).lower()
                              for c in parent.named_children if c.type == "catch_clauses")
            parent = parent.parent
        if not handled:
            found.append((node.start_point[0] + 1, "Get-WinEvent with a filter and -ErrorAction Stop throws when no "
                          "event matches (NoMatchingEventsFound): catch that case, or nothing found fails the read"))
    return found


def check_file(path):
    """Return the list of problems of one PowerShell file."""
    with open(path, "rb") as handle:
        source = handle.read()
    tree = parse(source)
    problems = ["line %d: %s" % (line, text) for line, text in syntax_errors(tree, source)]
    if problems:
        return problems
    problems.extend("line %d: %s" % item for item in layout_problems(tree, source) + null_property_calls(tree, source)
                    + unhandled_no_events(tree, source))
    if not path.endswith(".ps1"):
        return problems
    problems.extend(check_module(path, find_spec(tree, source), find_result_keys(tree, source)))
    return problems


def powershell_files(paths):
    """Every .ps1 / .psm1 below the given files or directories, sorted."""
    found = []
    for path in paths:
        if os.path.isfile(path):
            found.append(path)
            continue
        for directory, _dirs, files in os.walk(path):
            found.extend(os.path.join(directory, name) for name in files
                         if name.endswith((".ps1", ".psm1")))
    return sorted(found)


def main(argv):
    paths = argv or ["plugins"]
    files = powershell_files(paths)
    failed = 0
    for path in files:
        problems = check_file(path)
        for problem in problems:
            print("%s: %s" % (path, problem))
        failed += bool(problems)
    print("pwsh_check: %d PowerShell file(s) checked, %d with problems" % (len(files), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

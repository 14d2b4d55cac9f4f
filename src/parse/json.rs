//! A small, fast JSON reader that keeps where every object key is: the one JSON-with-positions
//! reader of the crate, for Smithy JSON AST files (the line of a shape) and for the package
//! parsers (the line of a `package.json` key, of a candidate manifest's entry).
//!
//! Why not serde_json: we need the byte offset of every object key, order-preserving objects,
//! Smithy's order-insensitive object equality, and a hard nesting limit so hostile input can
//! never overflow the stack. The reader works on bytes, never panics, and reports the offset of
//! the first problem. Duplicate keys are an error (JSON readers disagree on which value wins).
//!
//! May depend on: nothing in the crate.
use std::fmt;

/// Deepest nesting accepted. Real models nest well under 64 levels (endpoint rule sets are the
/// deepest); anything beyond this is rejected instead of recursing further.
pub const MAX_DEPTH: usize = 256;

/// A JSON value. Objects keep their key order and each key's byte offset; equality of objects
/// ignores order (Smithy's `ObjectNode` is a map).
#[derive(Debug, Clone)]
pub enum Node {
    Null,
    Bool(bool),
    /// The number as written (JSON syntax already checked).
    Number(Box<str>),
    String(String),
    Array(Vec<Node>),
    Object(Vec<Entry>),
}

/// One `"key": value` pair of an object, with the byte offset of the key's opening quote.
#[derive(Debug, Clone)]
pub struct Entry {
    pub key: String,
    pub offset: u32,
    pub value: Node,
}

impl PartialEq for Node {
    fn eq(&self, other: &Node) -> bool {
        match (self, other) {
            (Node::Null, Node::Null) => true,
            (Node::Bool(a), Node::Bool(b)) => a == b,
            (Node::Number(a), Node::Number(b)) => numbers_equal(a, b),
            (Node::String(a), Node::String(b)) => a == b,
            (Node::Array(a), Node::Array(b)) => a == b,
            (Node::Object(a), Node::Object(b)) => {
                a.len() == b.len() && a.iter().all(|e| b.iter().any(|f| f.key == e.key && f.value == e.value))
            }
            _ => false,
        }
    }
}

/// Numbers are equal when their values are, exactly (`1` equals `1.0`; `9007199254740993` does
/// not equal `9007199254740992`, though both are the same `f64`): Smithy keeps a number that a
/// double cannot hold as a `BigDecimal`/`BigInteger`.
fn numbers_equal(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (Decimal::parse(a), Decimal::parse(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// A JSON number's exact value: `digits × 10^exponent`, with no leading or trailing zeros in
/// `digits` (zero has none). Compares and orders exactly, however many digits the literal has,
/// as Smithy's `BigDecimal` does; an `f64` would make `2^53 + 1` equal `2^53`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal {
    negative: bool,
    digits: Vec<u8>,
    exponent: i64,
}

impl Decimal {
    /// Reads a JSON number literal (`-12.5e3`); `None` when it is not one.
    pub fn parse(text: &str) -> Option<Decimal> {
        let b = text.as_bytes();
        let (negative, rest) = match b.first()? {
            b'-' => (true, &b[1..]),
            b'+' => (false, &b[1..]),
            _ => (false, b),
        };
        let (mantissa, exp_text) = match rest.iter().position(|c| matches!(c, b'e' | b'E')) {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        let (int, frac) = match mantissa.iter().position(|c| *c == b'.') {
            Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
            None => (mantissa, &[][..]),
        };
        if int.is_empty() && frac.is_empty() || !int.iter().chain(frac).all(u8::is_ascii_digit) {
            return None;
        }
        // A saturated exponent: past ±2^62 (far beyond anything Smithy's BigDecimal accepts) two
        // huge exponents compare equal rather than overflow.
        let mut exponent: i64 = 0;
        if let Some(e) = exp_text {
            let (sign, digits) = match e.first()? {
                b'-' => (-1i64, &e[1..]),
                b'+' => (1, &e[1..]),
                _ => (1, e),
            };
            if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            for d in digits {
                exponent = exponent.saturating_mul(10).saturating_add(i64::from(d - b'0')).min(1 << 62);
            }
            exponent *= sign;
        }
        let mut digits: Vec<u8> = int.iter().chain(frac).map(|d| d - b'0').collect();
        exponent = exponent.saturating_sub(frac.len() as i64);
        let lead = digits.iter().take_while(|d| **d == 0).count();
        digits.drain(..lead);
        while digits.last() == Some(&0) {
            digits.pop();
            exponent = exponent.saturating_add(1);
        }
        if digits.is_empty() {
            return Some(Decimal { negative: false, digits, exponent: 0 });
        }
        Some(Decimal { negative, digits, exponent })
    }

    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// The power of ten just above the most significant digit (`1.5` → 1, `150` → 3).
    fn magnitude(&self) -> i64 {
        self.exponent.saturating_add(self.digits.len() as i64)
    }

    fn cmp_abs(&self, other: &Decimal) -> std::cmp::Ordering {
        match (self.is_zero(), other.is_zero()) {
            (true, true) => return std::cmp::Ordering::Equal,
            (true, false) => return std::cmp::Ordering::Less,
            (false, true) => return std::cmp::Ordering::Greater,
            _ => {}
        }
        // Same magnitude: digit strings without trailing zeros order as the values do.
        self.magnitude().cmp(&other.magnitude()).then_with(|| self.digits.cmp(&other.digits))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Decimal) -> std::cmp::Ordering {
        match (self.negative, other.negative) {
            (false, true) => std::cmp::Ordering::Greater,
            (true, false) => std::cmp::Ordering::Less,
            (false, false) => self.cmp_abs(other),
            (true, true) => other.cmp_abs(self),
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Decimal) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Object(entries) => entries.iter().rev().find(|e| e.key == key).map(|e| &e.value),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_array(&self) -> Option<&[Node]> {
        match self {
            Node::Array(a) => Some(a),
            _ => None,
        }
    }
    pub fn as_object(&self) -> Option<&[Entry]> {
        match self {
            Node::Object(o) => Some(o),
            _ => None,
        }
    }
    /// A number's exact value (see [`Decimal`]); never an `f64`, which would round.
    pub fn as_decimal(&self) -> Option<Decimal> {
        match self {
            Node::Number(n) => Decimal::parse(n),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Node::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self, Node::Null)
    }
    /// Smithy's type names for a node, used in error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "boolean",
            Node::Number(_) => "number",
            Node::String(_) => "string",
            Node::Array(_) => "array",
            Node::Object(_) => "object",
        }
    }

    /// Compact JSON (`Node.printJson` in Smithy).
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, None, 0);
        out
    }

    /// Pretty JSON with four-space indentation (`Node.prettyPrintJson` in Smithy).
    pub fn to_pretty_json(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, Some(4), 0);
        out
    }

    fn write(&self, out: &mut String, indent: Option<usize>, level: usize) {
        match self {
            Node::Null => out.push_str("null"),
            Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Node::Number(n) => out.push_str(n),
            Node::String(s) => write_string(out, s),
            Node::Array(items) => {
                if items.is_empty() {
                    out.push_str("[]");
                    return;
                }
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, indent, level + 1);
                    item.write(out, indent, level + 1);
                }
                newline(out, indent, level);
                out.push(']');
            }
            Node::Object(entries) => {
                if entries.is_empty() {
                    out.push_str("{}");
                    return;
                }
                out.push('{');
                for (i, e) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, indent, level + 1);
                    write_string(out, &e.key);
                    out.push(':');
                    if indent.is_some() {
                        out.push(' ');
                    }
                    e.value.write(out, indent, level + 1);
                }
                newline(out, indent, level);
                out.push('}');
            }
        }
    }
}

fn newline(out: &mut String, indent: Option<usize>, level: usize) {
    if let Some(n) = indent {
        out.push('\n');
        for _ in 0..n * level {
            out.push(' ');
        }
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json())
    }
}

/// A syntax error at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub offset: usize,
    pub message: String,
}

/// Parses one JSON document (whitespace around it allowed, nothing else).
pub fn parse(bytes: &[u8]) -> Result<Node, SyntaxError> {
    read(bytes, None)
}

/// Parses one value that sits `depth` levels down in a document (the nesting limit counts from
/// the document's top), with nothing but whitespace around it.
pub fn parse_at_depth(bytes: &[u8], depth: usize) -> Result<Node, SyntaxError> {
    let mut p = Reader { b: bytes, i: 0, base: 0, hook: None };
    p.skip_ws();
    let node = p.value(depth)?;
    p.skip_ws();
    if p.i < p.b.len() {
        return Err(p.err("unexpected content after the end of the JSON document"));
    }
    Ok(node)
}

/// Parses the JSON value that starts at byte `start` of `bytes` (nested `depth` deep in its
/// document, for the nesting limit); returns it and where it ends in `bytes`. `bytes` is the
/// part of a document that starts at its byte `base`: key offsets are the document's.
pub fn parse_value_in(bytes: &[u8], start: usize, depth: usize, base: usize) -> Result<(Node, usize), SyntaxError> {
    let mut p = Reader { b: bytes, i: start, base, hook: None };
    let node = p.value(depth)?;
    Ok((node, p.i))
}

/// Parses a JSON document as [`parse`] does, except the entries of its top-level `"shapes"`
/// object: each entry whose key is `wanted` is parsed and handed to `entry` (which returns false
/// to stop the read), each other one is skipped without building a value (its brackets and
/// strings walked, nothing checked inside); the `"shapes"` value comes back as an empty object.
/// A large model whose bytes are read one shape at a time: the caller decides which to build.
pub fn parse_shapes_apart(
    bytes: &[u8],
    wanted: &dyn Fn(&str) -> bool,
    entry: &mut dyn FnMut(Entry) -> bool,
) -> Result<Node, SyntaxError> {
    read(bytes, Some(Hook { wanted, entry }))
}

fn read<'a>(bytes: &'a [u8], hook: Option<Hook<'a>>) -> Result<Node, SyntaxError> {
    // Smithy reads model files as UTF-8 and keeps a byte order mark as a character, so it rejects
    // one; say what the bytes are instead of "unexpected character 'ï'".
    let encoding = if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        Some(
            "starts with a UTF-8 byte order mark (EF BB BF), which Smithy does not accept; save it as UTF-8 without a BOM",
        )
    } else if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        Some("is UTF-16 (it starts with a UTF-16 byte order mark); Smithy reads UTF-8 only: save it as UTF-8")
    } else {
        None
    };
    if let Some(what) = encoding {
        return Err(SyntaxError { offset: 0, message: format!("the file {what}") });
    }
    let mut p = Reader { b: bytes, i: 0, base: 0, hook };
    p.skip_ws();
    let node = p.value(0)?;
    p.skip_ws();
    if p.i < p.b.len() {
        return Err(p.err("unexpected content after the end of the JSON document"));
    }
    Ok(node)
}

/// Where the string whose opening quote is at `open` ends: the index of its closing quote, and
/// whether it has an escape (`None`: it does not end). Escapes are stepped over, not checked.
pub fn string_end(bytes: &[u8], open: usize) -> Option<(usize, bool)> {
    let mut i = open + 1;
    let mut escaped = false;
    loop {
        i += memchr::memchr2(b'"', b'\\', bytes.get(i..)?)?;
        if bytes[i] == b'"' {
            return Some((i, escaped));
        }
        escaped = true;
        i += 2;
    }
}

/// What [`parse_shapes_apart`] does with the entries of `"shapes"`.
struct Hook<'a> {
    wanted: &'a dyn Fn(&str) -> bool,
    entry: &'a mut dyn FnMut(Entry) -> bool,
}

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
    /// Where `b` starts in its document: added to the key offsets (not to errors' offsets).
    base: usize,
    hook: Option<Hook<'a>>,
}

impl Reader<'_> {
    fn err(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError { offset: self.i.min(self.b.len()), message: message.into() }
    }

    fn skip_ws(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            if c == b' ' || c == b'\n' || c == b'\r' || c == b'\t' {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(self.err(format!("JSON nested deeper than {MAX_DEPTH} levels")));
        }
        match self.b.get(self.i) {
            None => Err(self.err("unexpected end of input, expected a value")),
            Some(b'{') => self.object(depth, false),
            Some(b'[') => self.array(depth),
            Some(b'"') => Ok(Node::String(self.string()?)),
            Some(b't') => self.literal("true", Node::Bool(true)),
            Some(b'f') => self.literal("false", Node::Bool(false)),
            Some(b'n') => self.literal("null", Node::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(&c) => Err(self.err(format!("unexpected character {:?}, expected a value", c as char))),
        }
    }

    fn literal(&mut self, word: &str, node: Node) -> Result<Node, SyntaxError> {
        if self.b[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(node)
        } else {
            Err(self.err(format!("invalid literal, expected `{word}`")))
        }
    }

    fn number(&mut self) -> Result<Node, SyntaxError> {
        let start = self.i;
        if self.b.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        match self.b.get(self.i) {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.err("invalid number")),
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            if !matches!(self.b.get(self.i), Some(b'0'..=b'9')) {
                return Err(self.err("invalid number: expected a digit after `.`"));
            }
            self.digits();
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !matches!(self.b.get(self.i), Some(b'0'..=b'9')) {
                return Err(self.err("invalid number: expected a digit in the exponent"));
            }
            self.digits();
        }
        // Only ASCII digits and signs were consumed, so this is valid UTF-8.
        let text = std::str::from_utf8(&self.b[start..self.i]).map_err(|_| self.err("invalid number"))?;
        Ok(Node::Number(text.into()))
    }

    fn digits(&mut self) {
        while matches!(self.b.get(self.i), Some(b'0'..=b'9')) {
            self.i += 1;
        }
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        let open = self.i;
        self.i += 1; // opening quote
        let mut out: Vec<u8> = Vec::new();
        loop {
            let start = self.i;
            while let Some(&c) = self.b.get(self.i) {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.i += 1;
            }
            out.extend_from_slice(&self.b[start..self.i]);
            match self.b.get(self.i) {
                None => {
                    self.i = open;
                    return Err(self.err("unterminated string"));
                }
                Some(b'"') => {
                    self.i += 1;
                    return String::from_utf8(out)
                        .map_err(|_| SyntaxError { offset: open, message: "string is not valid UTF-8".into() });
                }
                Some(b'\\') => {
                    self.i += 1;
                    let esc = self.b.get(self.i).copied();
                    self.i += 1;
                    match esc {
                        Some(b'"') => out.push(b'"'),
                        Some(b'\\') => out.push(b'\\'),
                        Some(b'/') => out.push(b'/'),
                        Some(b'b') => out.push(8),
                        Some(b'f') => out.push(12),
                        Some(b'n') => out.push(b'\n'),
                        Some(b'r') => out.push(b'\r'),
                        Some(b't') => out.push(b'\t'),
                        Some(b'u') => {
                            let c = self.unicode_escape()?;
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                        }
                        _ => {
                            self.i -= 1;
                            return Err(self.err("invalid escape sequence in string"));
                        }
                    }
                }
                Some(_) => return Err(self.err("control character in string")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let Some(digits) = self.b.get(self.i..self.i + 4) else {
            return Err(self.err("truncated \\u escape"));
        };
        let mut v = 0u32;
        for &d in digits {
            let n = (d as char).to_digit(16).ok_or_else(|| self.err("invalid \\u escape"))?;
            v = v * 16 + n;
        }
        self.i += 4;
        Ok(v)
    }

    fn unicode_escape(&mut self) -> Result<char, SyntaxError> {
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) {
            if self.b.get(self.i) == Some(&b'\\') && self.b.get(self.i + 1) == Some(&b'u') {
                self.i += 2;
                let lo = self.hex4()?;
                if (0xDC00..0xE000).contains(&lo) {
                    let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                    return char::from_u32(c).ok_or_else(|| self.err("invalid surrogate pair"));
                }
            }
            return Ok('\u{FFFD}');
        }
        Ok(char::from_u32(hi).unwrap_or('\u{FFFD}'))
    }

    fn array(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        self.i += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.b.get(self.i) == Some(&b']') {
            self.i += 1;
            return Ok(Node::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Node::Array(items));
                }
                None => {
                    return Err(self.err("unexpected end of input in array, expected `,` or `]`"));
                }
                Some(_) => return Err(self.err("expected `,` or `]` in array")),
            }
        }
    }

    /// Skips one value without building it or checking inside it (brackets balanced, strings
    /// walked to their closing quote), without recursion.
    fn skip_value(&mut self) -> Result<(), SyntaxError> {
        let mut depth = 0usize;
        loop {
            match self.b.get(self.i) {
                None => return Err(self.err("unexpected end of input, expected a value")),
                Some(b'"') => match string_end(self.b, self.i) {
                    Some((close, _)) => self.i = close + 1,
                    None => return Err(self.err("unterminated string")),
                },
                Some(b'{' | b'[') => {
                    depth += 1;
                    self.i += 1;
                }
                Some(b'}' | b']') => {
                    depth = depth.checked_sub(1).ok_or_else(|| self.err("unbalanced brackets"))?;
                    self.i += 1;
                }
                Some(_) if depth == 0 => {
                    // A scalar: up to the next delimiter.
                    while let Some(&c) = self.b.get(self.i) {
                        if matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                            break;
                        }
                        self.i += 1;
                    }
                }
                Some(_) => self.i += 1,
            }
            if depth == 0 {
                return Ok(());
            }
        }
    }

    /// An object. With `apart` (the top-level `"shapes"` object under a [`Hook`]), its entries go
    /// to the hook or are skipped, and the value read is an empty object.
    fn object(&mut self, depth: usize, apart: bool) -> Result<Node, SyntaxError> {
        self.i += 1;
        let mut entries = Vec::new();
        let mut seen = Keys::default();
        self.skip_ws();
        if self.b.get(self.i) == Some(&b'}') {
            self.i += 1;
            return Ok(Node::Object(entries));
        }
        loop {
            self.skip_ws();
            if self.b.get(self.i) != Some(&b'"') {
                return Err(self.err(if self.i >= self.b.len() {
                    "unexpected end of input in object, expected a key"
                } else {
                    "expected a string key in object"
                }));
            }
            let start = self.i;
            let offset = u32::try_from(self.base + self.i).unwrap_or(u32::MAX);
            let key = self.string()?;
            let repeated = if apart { !seen.insert_new(&key) } else { seen.seen_before(&entries, &key) };
            if repeated {
                return Err(SyntaxError {
                    offset: start,
                    message: format!("duplicate key `{key}` in object: JSON readers disagree on which value wins"),
                });
            }
            self.skip_ws();
            if self.b.get(self.i) != Some(&b':') {
                return Err(self.err("expected `:` after object key"));
            }
            self.i += 1;
            self.skip_ws();
            if apart {
                if self.hook.as_ref().is_some_and(|h| (h.wanted)(&key)) {
                    let value = self.value(depth + 1)?;
                    if !self.hook.as_mut().is_some_and(|h| (h.entry)(Entry { key, offset, value })) {
                        return Err(SyntaxError { offset: start, message: "the read was stopped".into() });
                    }
                } else {
                    self.skip_value()?;
                }
            } else {
                let hooked = depth == 0 && key == "shapes" && self.hook.is_some() && self.b.get(self.i) == Some(&b'{');
                let value = if hooked { self.object(depth + 1, true)? } else { self.value(depth + 1)? };
                entries.push(Entry { key, offset, value });
            }
            self.skip_ws();
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Node::Object(entries));
                }
                None => {
                    return Err(self.err("unexpected end of input in object, expected `,` or `}`"));
                }
                Some(_) => return Err(self.err("expected `,` or `}` in object")),
            }
        }
    }
}

/// The keys of an object being read, to reject duplicates: a scan while the object is small, a
/// hash set once it is not (a model's `shapes` object has thousands of keys).
#[derive(Default)]
struct Keys(Option<std::collections::HashSet<String>>);

impl Keys {
    const SCAN: usize = 16;

    /// Records `key` in the hash set (an object whose entries are not kept); false if it was
    /// there already.
    fn insert_new(&mut self, key: &str) -> bool {
        self.0.get_or_insert_with(Default::default).insert(key.to_string())
    }

    /// Whether `key` is already among `entries` (the object's entries so far); records it.
    fn seen_before(&mut self, entries: &[Entry], key: &str) -> bool {
        if self.0.is_none() && entries.len() < Self::SCAN {
            return entries.iter().any(|e| e.key == key);
        }
        let set = self.0.get_or_insert_with(|| entries.iter().map(|e| e.key.clone()).collect());
        !set.insert(key.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let n = parse(br#" {"a": [1, 2.5e3, true, null], "b": "x\"\u00e9\ud83d\ude00", "c": {}} "#).expect("valid");
        assert_eq!(n.get("b").and_then(Node::as_str), Some("x\"é😀"));
        assert_eq!(n.to_json(), r#"{"a":[1,2.5e3,true,null],"b":"x\"é😀","c":{}}"#);
        assert_eq!(parse(b"[\"a\"]").expect("valid").to_pretty_json(), "[\n    \"a\"\n]");
    }

    #[test]
    fn object_equality_ignores_order() {
        assert_eq!(parse(br#"{"a":1,"b":2}"#).expect("valid"), parse(br#"{"b":2,"a":1.0}"#).expect("valid"));
        assert_ne!(parse(br#"[1,2]"#).expect("valid"), parse(br#"[2,1]"#).expect("valid"));
    }

    // Regression: numbers were compared as f64, so values past 2^53 (and decimals a double cannot
    // hold) that differ compared equal.
    #[test]
    fn numbers_compare_exactly() {
        let n = |s: &str| parse(s.as_bytes()).expect("valid");
        assert_ne!(n("9007199254740993"), n("9007199254740992"));
        assert_ne!(n("18446744073709551617"), n("18446744073709551616"));
        assert_ne!(n("0.1"), n("0.1000000000000000055511151231257827"));
        assert_ne!(n("1e-400"), n("0"));
        assert_ne!(n("1e400"), n("2e400"));
        assert_eq!(n("1"), n("1.0"));
        assert_eq!(n("100"), n("1e2"));
        assert_eq!(n("-0.0"), n("0"));
        assert_eq!(n("12.50e-1"), n("1.25"));
        let d = |s: &str| Decimal::parse(s).expect("a number");
        let mut sorted = ["1e2", "-3", "0", "99.99", "-3.5", "1e-400", "100.5", "18446744073709551617"].map(d);
        sorted.sort();
        assert_eq!(sorted, ["-3.5", "-3", "0", "1e-400", "99.99", "1e2", "100.5", "18446744073709551617"].map(d));
        assert!(d("9007199254740993") > d("9007199254740992"));
        assert!(d("0e5").is_zero() && !d("1e-400").is_zero());
        for bad in ["", "-", "1e", "1.2.3", "x", "1e+"] {
            assert!(Decimal::parse(bad).is_none(), "{bad}");
        }
    }

    // Regression: a UTF-8 byte order mark was reported as "unexpected character 'ï'".
    #[test]
    fn byte_order_marks_are_named() {
        let e = parse(b"\xEF\xBB\xBF{}").expect_err("Smithy rejects a BOM");
        assert!(e.message.contains("UTF-8 byte order mark") && e.offset == 0, "{e:?}");
        let e = parse(b"\xFF\xFE{\x00}\x00").expect_err("UTF-16");
        assert!(e.message.contains("UTF-16"), "{e:?}");
    }

    #[test]
    fn rejects_bad_input_with_offsets() {
        for bad in [&b"{"[..], b"[1,]", b"{\"a\" 1}", b"\"abc", b"01", b"1.", b"tru", b"[1] x", b"\"\\q\"", b""] {
            assert!(parse(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        assert_eq!(parse(b"[1, x]").expect_err("invalid").offset, 4);
        let deep = "[".repeat(100_000);
        assert!(parse(deep.as_bytes()).is_err());
    }
}

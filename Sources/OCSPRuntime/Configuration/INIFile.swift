/// An INI file read the way Python's `configparser` reads OCSP_MySql's `config.ini`, with its line numbers.
///
/// - `[section]` headers; `key = value` or `key: value`; keys are case-insensitive, values trimmed.
/// - Whole-line comments start with `#` or `;`. As OCSP_MySql did, a value is cut at the first `#`;
///   `;` starts an inline comment only after white space, so a `;` inside a password survives.
/// - Unlike configparser, an indented line is not a continuation: it is an error, because a silently
///   joined value in a responder's config is worse than a clear message.
/// - configparser's interpolation, which OCSP_MySql's `config.get` applied: `%%` is one `%`, and
///   `%(key)s` is the value of `key` in the same section (or `[DEFAULT]`); any other `%` is an error, as
///   it is in Python, so a password written for OCSP_MySql reads the same here.
package struct INIFile: Sendable {
    package struct Entry: Sendable, Hashable {
        package var key: String
        package var value: String
        package var line: Int
    }

    package struct Section: Sendable, Hashable {
        package var name: String
        package var line: Int
        package var entries: [Entry]

        package subscript(key: String) -> Entry? {
            entries.first { $0.key == key }
        }
    }

    package var sections: [Section]

    package subscript(section: String) -> Section? {
        sections.first { $0.name == section }
    }

    package init(text: String, path: String) throws(ConfigError) {
        var sections: [Section] = []
        var lineNumber = 0
        // Split on the scalar, not the Character: "\r\n" is one Character (one grapheme), so a file with
        // Windows line endings would otherwise be one line.
        for rawLine in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = Substring(rawLine)
            if line.unicodeScalars.last == "\r" { line = Substring(line.unicodeScalars.dropLast()) }
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            if line.first == " " || line.first == "\t" {
                throw ConfigError(path: path, line: lineNumber, message: "indented line; continuation lines are not supported")
            }
            if trimmed.hasPrefix("[") {
                guard trimmed.hasSuffix("]") else {
                    throw ConfigError(path: path, line: lineNumber, message: "section header must end with ']'")
                }
                let name = trimmed.dropFirst().dropLast().trimmingWhitespace()
                if sections.contains(where: { $0.name == String(name) }) {
                    throw ConfigError(path: path, line: lineNumber, message: "section [\(name)] appears twice")
                }
                sections.append(Section(name: String(name), line: lineNumber, entries: []))
                continue
            }
            guard let separator = trimmed.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw ConfigError(path: path, line: lineNumber, message: "expected 'key = value'")
            }
            let key = trimmed[..<separator].trimmingWhitespace().lowercased()
            guard !key.isEmpty else {
                throw ConfigError(path: path, line: lineNumber, message: "empty key before '\(trimmed[separator])'")
            }
            guard !sections.isEmpty else {
                throw ConfigError(path: path, line: lineNumber, key: key, message: "key outside any [section]")
            }
            var value = trimmed[trimmed.index(after: separator)...]
            if let hash = value.firstIndex(of: "#") { value = value[..<hash] }
            if let semicolon = value.indices.first(where: { value[$0] == ";" && $0 > value.startIndex && value[value.index(before: $0)].isWhitespace }) {
                value = value[..<semicolon]
            }
            let index = sections.count - 1
            if sections[index][key] != nil {
                throw ConfigError(path: path, line: lineNumber, key: key, message: "key appears twice in [\(sections[index].name)]")
            }
            sections[index].entries.append(Entry(key: key, value: String(value.trimmingWhitespace()), line: lineNumber))
        }
        for index in sections.indices {
            for entry in sections[index].entries.indices {
                sections[index].entries[entry].value = try Self.interpolate(
                    sections[index].entries[entry], in: sections[index], defaults: sections.first { $0.name == "DEFAULT" }, path: path, depth: 0)
            }
        }
        self.sections = sections
    }

    /// configparser's `BasicInterpolation` limit: deeper references are an error there too.
    static let maximumInterpolationDepth = 10

    static func interpolate(_ entry: Entry, in section: Section, defaults: Section?, path: String, depth: Int) throws(ConfigError) -> String {
        guard entry.value.contains("%") else { return entry.value }
        guard depth < maximumInterpolationDepth else {
            throw ConfigError(path: path, line: entry.line, key: entry.key, message: "references nest more than \(maximumInterpolationDepth) deep (a loop of %(key)s?)")
        }
        var result = ""
        var rest = Substring(entry.value)
        while let percent = rest.firstIndex(of: "%") {
            result += rest[..<percent]
            let after = rest[rest.index(after: percent)...]
            if after.first == "%" {
                result += "%"
                rest = after.dropFirst()
            } else if after.first == "(", let close = after.firstIndex(of: ")"), after[after.index(after: close)...].first == "s" {
                let name = after[after.index(after: after.startIndex)..<close].lowercased()
                guard let referenced = section[name] ?? defaults?[name] else {
                    throw ConfigError(path: path, line: entry.line, key: entry.key, message: "'%(\(name))s' names no key of [\(section.name)]; write %% for a literal %")
                }
                result += try interpolate(referenced, in: section, defaults: defaults, path: path, depth: depth + 1)
                rest = after[after.index(close, offsetBy: 2)...]
            } else {
                throw ConfigError(path: path, line: entry.line, key: entry.key, message: "'%' must be followed by '%' or '(key)s', as Python's configparser (OCSP_MySql) reads it; write %% for a literal %")
            }
        }
        return result + rest
    }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        let start = firstIndex(where: { !$0.isWhitespace }) ?? endIndex
        let end = lastIndex(where: { !$0.isWhitespace }).map { index(after: $0) } ?? start
        return self[start..<Swift.max(start, end)]
    }
}

/// A config file that cannot be used: the file, the line and the key, and what is wrong.
package struct ConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    package var path: String
    package var line: Int?
    package var key: String?
    package var message: String
    /// False when the message says nothing of the file's text (it could not be read, its mode, a path's
    /// owner): see `shownToUntrustedCaller`.
    package var quotesContent: Bool

    package init(path: String, line: Int? = nil, key: String? = nil, message: String, quotesContent: Bool = true) {
        self.path = path
        self.line = line
        self.key = key
        self.message = message
        self.quotesContent = quotesContent
    }

    /// What a caller through sudo is told. Under sudo the caller may name any file the service can read as
    /// `--config`, and a parse error quotes the text it stumbled on (a key name, a section, a value), which
    /// could be a line of a file the caller cannot read itself, such as the private key's last base64
    /// line. So such an error is told by its line only; the service user sees it in full.
    package var shownToUntrustedCaller: String {
        guard quotesContent else { return description }
        return "\(path)\(line.map { ":\($0)" } ?? ""): not a config this responder can use (run it as the service user to see why)"
    }

    package var description: String {
        var location = path
        if let line { location += ":\(line)" }
        if let key { location += ": key '\(key)'" }
        return "\(location): \(message)"
    }
}

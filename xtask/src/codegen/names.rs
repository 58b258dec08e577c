//! Conversions from OpenAPI names to Rust identifiers.

/// Splits an identifier or free text into words. A word ends at a character that is not an
/// ASCII letter or digit, and before an upper-case letter that follows a lower-case letter
/// or a digit. An acronym ends before its last capital when that capital starts a new
/// word, so `AASequence` is `AA`, `Sequence`.
pub fn words(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();

    for (index, &ch) in chars.iter().enumerate() {
        if !ch.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }

        if let Some(&previous) = current.chars().last().as_ref() {
            let next_is_lower = chars.get(index + 1).is_some_and(char::is_ascii_lowercase);
            let boundary = ch.is_ascii_uppercase()
                && (previous.is_ascii_lowercase()
                    || previous.is_ascii_digit()
                    || (previous.is_ascii_uppercase() && next_is_lower));
            if boundary {
                words.push(std::mem::take(&mut current));
            }
        }
        current.push(ch);
    }

    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Converts to `PascalCase`: `bulk-create` and `BULK_CREATE` both become `BulkCreate`,
/// `DNASequence` becomes `DnaSequence`.
pub fn pascal(text: &str) -> String {
    words(text)
        .iter()
        .map(|word| {
            let lower = word.to_ascii_lowercase();
            let mut chars = lower.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// Converts to `snake_case`: `apiURL` becomes `api_url`.
pub fn snake(text: &str) -> String {
    words(text)
        .iter()
        .map(|word| word.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "union", "unsafe", "unsized",
    "use", "virtual", "where", "while", "yield",
];

/// Converts a JSON property name to a Rust field name, as a raw identifier when it is a
/// keyword (`type` becomes `r#type`).
pub fn field_name(json_name: &str) -> String {
    let name = snake(json_name);
    let name = if name.is_empty() {
        "field".to_owned()
    } else if name.starts_with(|ch: char| ch.is_ascii_digit()) {
        format!("field_{name}")
    } else {
        name
    };
    match name.as_str() {
        "self" | "super" | "crate" | "extra" => format!("{name}_"),
        _ if KEYWORDS.contains(&name.as_str()) => format!("r#{name}"),
        _ => name,
    }
}

/// Converts an enum value to a variant name: `AVAILABLE` becomes `Available`, `mL`
/// becomes `ML`, `(x10^3) cells` becomes `X103Cells`.
pub fn variant_name(value: &str) -> String {
    let name = pascal(value);
    if name.is_empty() {
        "Empty".to_owned()
    } else if name.starts_with(|ch: char| ch.is_ascii_digit()) {
        format!("Value{name}")
    } else if name == "Unknown" || name == "Self" {
        format!("{name}Value")
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_splits_acronyms() {
        assert_eq!(
            pascal("AIGGenerateInputAsyncTask"),
            "AigGenerateInputAsyncTask"
        );
        assert_eq!(pascal("bulkCreateDNASequences"), "BulkCreateDnaSequences");
        assert_eq!(pascal("dna_sequence"), "DnaSequence");
        assert_eq!(pascal("mL"), "ML");
        assert_eq!(pascal("(x10^3) cells"), "X103Cells");
    }

    #[test]
    fn field_names_are_snake_case() {
        assert_eq!(field_name("apiURL"), "api_url");
        assert_eq!(
            field_name("matchingAASequenceIds"),
            "matching_aa_sequence_ids"
        );
        assert_eq!(field_name("type"), "r#type");
        assert_eq!(field_name("extra"), "extra_");
    }
}

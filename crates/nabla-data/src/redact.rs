//! A mirror's credentials (`https://user:password@host/`) never appear in a message, an
//! event or an error.

/// `url` with its user information (`user:password@`) replaced by `***@`, for printing: a
/// mirror's credentials never appear in a message, an event or an error.
pub(crate) fn redact(url: &str) -> String {
    match userinfo(url) {
        Some(info) => url.replacen(info, "***@", 1),
        None => url.to_owned(),
    }
}

/// `text` with the user information of `url` (if it has any) replaced by `***@`.
pub(crate) fn redact_in(text: &str, url: &str) -> String {
    match userinfo(url) {
        Some(info) => text.replace(info, "***@"),
        None => text.to_owned(),
    }
}

/// The user information of `url` with its `@` (`user:password@`), if it has any.
fn userinfo(url: &str) -> Option<&str> {
    let start = url.find("://")? + 3;
    let rest = &url[start..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let at = authority.rfind('@')?;
    Some(&rest[..=at])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_takes_only_the_user_information() {
        assert_eq!(redact("http://u:p@host:8/a/b"), "http://***@host:8/a/b");
        assert_eq!(redact("https://token@host/"), "https://***@host/");
        // An `@` after the host is part of the path, not a credential.
        assert_eq!(redact("http://host/a@b"), "http://host/a@b");
        assert_eq!(redact("http://a:b@c@host/x"), "http://***@host/x");
        assert_eq!(redact("not a url"), "not a url");
        assert_eq!(
            redact_in("GET http://u:p@host/x failed", "http://u:p@host/x"),
            "GET http://***@host/x failed"
        );
    }
}

//! The settings of downloads and where they come from: the mirrors and the timeouts, each
//! given in code (through [`MnistSource`](crate::MnistSource)) or read from the environment.

use std::time::Duration;

use crate::{Error, Result};

/// The public mirrors tried by default, in order (file names as in
/// [`MnistFile::file_name`](crate::MnistFile::file_name)).
pub const DEFAULT_MIRRORS: [&str; 2] = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
];

/// The environment variable with the user's own mirror URLs (separated by whitespace or
/// commas); when set, they replace [`DEFAULT_MIRRORS`].
pub(crate) const MIRROR_ENV: &str = "NABLA_MNIST_MIRROR";

/// The mirrors named by `$NABLA_MNIST_MIRROR`, or [`DEFAULT_MIRRORS`] when it is unset or
/// empty.
pub(crate) fn mirrors_from_env() -> Vec<String> {
    let from_env: Vec<String> = std::env::var(MIRROR_ENV)
        .unwrap_or_default()
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if from_env.is_empty() {
        DEFAULT_MIRRORS.iter().map(|s| (*s).to_owned()).collect()
    } else {
        from_env
    }
}

/// The environment variable with the idle timeout of downloads, in seconds (see
/// [`Timeouts::idle`]).
pub(crate) const IDLE_TIMEOUT_ENV: &str = "NABLA_DOWNLOAD_IDLE_TIMEOUT";

/// The environment variable with the deadline of one download, in seconds (see
/// [`Timeouts::deadline`]).
pub(crate) const DEADLINE_ENV: &str = "NABLA_DOWNLOAD_DEADLINE";

/// How long a download may wait and take, so that a server that stalls cannot hang it.
///
/// Made by [`Timeouts::new`] (or [`Timeouts::default`], [`Timeouts::from_env`]), which keep
/// both greater than zero; the fields are read directly. New settings may be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timeouts {
    /// The longest wait for the next bytes (connection, headers or body) before the mirror
    /// is given up: 30 s by default.
    pub idle: Duration,
    /// The longest time one mirror may take for one file, from connecting to the last byte:
    /// 15 minutes by default (the largest file is 9.9 MB).
    pub deadline: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(30),
            deadline: Duration::from_secs(15 * 60),
        }
    }
}

impl Timeouts {
    /// The timeouts `idle` (see [`Timeouts::idle`]) and `deadline` (see
    /// [`Timeouts::deadline`]).
    ///
    /// # Errors
    ///
    /// [`Error::Timeout`] when either is zero.
    pub fn new(idle: Duration, deadline: Duration) -> Result<Self> {
        for (name, value) in [("idle timeout", idle), ("deadline", deadline)] {
            if value.is_zero() {
                return Err(Error::Timeout { name, value });
            }
        }
        Ok(Self { idle, deadline })
    }

    /// The defaults, each replaced by `$NABLA_DOWNLOAD_IDLE_TIMEOUT` and
    /// `$NABLA_DOWNLOAD_DEADLINE` (seconds, fractions allowed) when set and not empty.
    ///
    /// # Errors
    ///
    /// [`Error::Setting`] when a variable is set to something other than a finite number of
    /// seconds greater than 0.
    pub fn from_env() -> Result<Self> {
        let mut timeouts = Self::default();
        for (name, slot) in [
            (IDLE_TIMEOUT_ENV, &mut timeouts.idle),
            (DEADLINE_ENV, &mut timeouts.deadline),
        ] {
            let Some(value) = std::env::var_os(name).filter(|v| !v.is_empty()) else {
                continue;
            };
            let value = value.to_string_lossy().into_owned();
            *slot = parse_seconds(&value).ok_or(Error::Setting {
                name,
                value,
                expected: "expected a number of seconds greater than 0, such as 30 or 0.5",
            })?;
        }
        Ok(timeouts)
    }
}

/// `s` as a positive, finite number of seconds.
pub(crate) fn parse_seconds(s: &str) -> Option<Duration> {
    let secs: f64 = s.trim().parse().ok()?;
    if secs > 0.0 {
        Duration::try_from_secs_f64(secs).ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_io::{CHILD_CASE, rerun_with_env};

    /// Runs itself again as a child process with the variables of each case set.
    #[test]
    fn settings_come_from_the_environment() {
        let defaults: Vec<String> = DEFAULT_MIRRORS.iter().map(|m| m.to_string()).collect();
        match std::env::var(CHILD_CASE).as_deref() {
            Ok("unset") | Ok("blank") => {
                // Empty or blank values count as unset.
                assert_eq!(mirrors_from_env(), defaults);
                assert_eq!(Timeouts::from_env().unwrap(), Timeouts::default());
            }
            Ok("set") => {
                assert_eq!(
                    mirrors_from_env(),
                    ["http://a.test/", "http://b.test/", "http://c.test/"]
                );
                let t = Timeouts::from_env().unwrap();
                assert_eq!(t.idle, Duration::from_millis(500));
                assert_eq!(t.deadline, Duration::from_secs(90));
            }
            Ok("bad") => {
                let e = Timeouts::from_env().unwrap_err().to_string();
                assert!(e.contains(DEADLINE_ENV) && e.contains("-3"), "{e}");
            }
            Ok(other) => panic!("unknown case {other}"),
            Err(_) => {
                let cases: [(&str, &[(&str, &str)]); 4] = [
                    ("unset", &[]),
                    (
                        "set",
                        &[
                            (
                                MIRROR_ENV,
                                " http://a.test/,http://b.test/\thttp://c.test/ ",
                            ),
                            (IDLE_TIMEOUT_ENV, "0.5"),
                            (DEADLINE_ENV, "90"),
                        ],
                    ),
                    (
                        "blank",
                        &[
                            (MIRROR_ENV, " , "),
                            (IDLE_TIMEOUT_ENV, ""),
                            (DEADLINE_ENV, ""),
                        ],
                    ),
                    ("bad", &[(DEADLINE_ENV, "-3")]),
                ];
                rerun_with_env(
                    "settings::tests::settings_come_from_the_environment",
                    &[MIRROR_ENV, IDLE_TIMEOUT_ENV, DEADLINE_ENV],
                    &cases,
                );
            }
        }
    }

    #[test]
    fn timeouts_are_made_greater_than_zero() {
        let t = Timeouts::new(Duration::from_millis(1), Duration::from_secs(2)).unwrap();
        assert_eq!(
            (t.idle, t.deadline),
            (Duration::from_millis(1), Duration::from_secs(2))
        );
        for (idle, deadline, name) in [(0, 1, "idle timeout"), (1, 0, "deadline")] {
            let err = Timeouts::new(Duration::from_secs(idle), Duration::from_secs(deadline))
                .unwrap_err();
            assert!(
                matches!(err, Error::Timeout { name: n, .. } if n == name),
                "{err}"
            );
            assert_eq!(
                err.to_string(),
                format!("the {name} of downloads is 0 s; it must be greater than 0")
            );
        }
    }

    #[test]
    fn seconds_parse_as_positive_finite_numbers() {
        assert_eq!(parse_seconds("30"), Some(Duration::from_secs(30)));
        assert_eq!(parse_seconds(" 0.5 "), Some(Duration::from_millis(500)));
        for bad in ["0", "-1", "inf", "nan", "ten", "", "1e300"] {
            assert_eq!(parse_seconds(bad), None, "{bad}");
        }
    }
}

//! Where the cache is and which host to fetch from, from flags and the environment.

use crate::download::DEFAULT_MIRROR;
use std::path::PathBuf;

/// The cache directory: `flag` if given, else `$CASCADE_DATA_DIR`, else
/// `$XDG_CACHE_HOME/cascade`, else `~/.cache/cascade` (`$HOME`). `None` when none is set.
/// `env` reads a variable (pass `|k| std::env::var_os(k)`), so this stays testable.
pub fn cache_dir(
    flag: Option<PathBuf>,
    env: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> Option<PathBuf> {
    let set = |k: &str| env(k).filter(|v| !v.is_empty());
    flag.or_else(|| set("CASCADE_DATA_DIR").map(PathBuf::from))
        .or_else(|| set("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("cascade")))
        .or_else(|| set("HOME").map(|d| PathBuf::from(d).join(".cache").join("cascade")))
}

/// The mirror: `flag` if given, else `$CASCADE_MIRROR`, else [`DEFAULT_MIRROR`].
pub fn mirror(flag: Option<String>, env: impl Fn(&str) -> Option<std::ffi::OsString>) -> String {
    flag.or_else(|| {
        env("CASCADE_MIRROR")
            .filter(|v| !v.is_empty())
            .map(|v| v.to_string_lossy().into_owned())
    })
    .unwrap_or_else(|| DEFAULT_MIRROR.to_string())
}

/// The Tardis host: `flag` if given, else `$CASCADE_TARDIS_MIRROR`, else
/// [`TARDIS_HOST`](crate::tardis::TARDIS_HOST).
pub fn tardis_mirror(
    flag: Option<String>,
    env: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> String {
    flag.or_else(|| {
        env("CASCADE_TARDIS_MIRROR")
            .filter(|v| !v.is_empty())
            .map(|v| v.to_string_lossy().into_owned())
    })
    .unwrap_or_else(|| crate::tardis::TARDIS_HOST.to_string())
}

/// The Tardis API key from `$TARDIS_API_KEY`, if set and not empty.
pub fn tardis_key(env: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<String> {
    env("TARDIS_API_KEY")
        .filter(|v| !v.is_empty())
        .map(|v| v.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn flags_win_then_the_environment_then_the_user_cache() {
        let all = [
            ("CASCADE_DATA_DIR", "/d"),
            ("XDG_CACHE_HOME", "/x"),
            ("HOME", "/h"),
            ("CASCADE_MIRROR", "http://m"),
        ];
        assert_eq!(cache_dir(Some("/f".into()), env(&all)), Some("/f".into()));
        assert_eq!(cache_dir(None, env(&all)), Some("/d".into()));
        assert_eq!(cache_dir(None, env(&all[1..])), Some("/x/cascade".into()));
        assert_eq!(
            cache_dir(None, env(&all[2..])),
            Some("/h/.cache/cascade".into())
        );
        assert_eq!(cache_dir(None, env(&[])), None);
        assert_eq!(mirror(None, env(&all)), "http://m");
        assert_eq!(mirror(Some("http://f".into()), env(&all)), "http://f");
        assert_eq!(mirror(None, env(&[])), DEFAULT_MIRROR);
        let t = [
            ("CASCADE_TARDIS_MIRROR", "http://t"),
            ("TARDIS_API_KEY", "k"),
        ];
        assert_eq!(tardis_mirror(None, env(&t)), "http://t");
        assert_eq!(tardis_mirror(Some("http://f".into()), env(&t)), "http://f");
        assert_eq!(tardis_mirror(None, env(&[])), crate::tardis::TARDIS_HOST);
        assert_eq!(tardis_key(env(&t)).as_deref(), Some("k"));
        assert_eq!(tardis_key(env(&[])), None);
    }
}

//! "Did you mean" suggestions: one metric for every weft message that proposes a name.

/// The candidate closest to `name` by Damerau-Levenshtein distance, if it is within a
/// third of the name's length (at least one edit), as rustc and cargo suggest. `name`
/// itself is never suggested; ties go to the alphabetically first.
///
/// ```
/// assert_eq!(weft_wit::closest("persn", ["person", "string"]), Some("person"));
/// assert_eq!(weft_wit::closest("zzz", ["person"]), None);
/// ```
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = name.chars().count().div_ceil(3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, c)| (*distance, *c))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn typos_only() {
        assert_eq!(closest("loger", ["logger", "greeter"]), Some("logger"));
        assert_eq!(
            closest("counter.incremnt", ["counter.increment"]),
            Some("counter.increment")
        );
        assert_eq!(closest("grete", ["great", "greet"]), Some("greet"));
        assert_eq!(closest("zzz", ["logger", "greeter"]), None);
        assert_eq!(closest("same", ["same"]), None);
    }
}

//! What a shared file would change before it is applied: the entries it adds, those it
//! changes (with the fields that differ) and those it removes, by id. The reference of
//! procedures and the directory of partners are both imported this way: the supervisor sees
//! the changes, then confirms or leaves.

/// An entry that can be compared field by field.
pub trait Entry: Clone + PartialEq {
    /// Its stable id in the file.
    fn id(&self) -> &str;
    /// The names of the fields in which `other` differs from `self`.
    fn differences(&self, other: &Self) -> Vec<&'static str>;
}

/// The changes from `current` to `incoming`.
#[derive(Debug, Clone, PartialEq)]
pub struct Changes<T> {
    pub added: Vec<T>,
    /// `(as it is, as it would be, the fields that differ)`.
    pub changed: Vec<(T, T, Vec<&'static str>)>,
    pub removed: Vec<T>,
    /// Entries the file holds exactly as they are.
    pub unchanged: usize,
}

impl<T> Changes<T> {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

/// Compares two lists of entries by id (each id once in each list); the order of the result
/// follows `incoming`, then `current` for removals.
pub fn diff<T: Entry>(current: &[T], incoming: &[T]) -> Changes<T> {
    let mut changes = Changes {
        added: Vec::new(),
        changed: Vec::new(),
        removed: Vec::new(),
        unchanged: 0,
    };
    for new in incoming {
        match current.iter().find(|c| c.id() == new.id()) {
            None => changes.added.push(new.clone()),
            Some(old) if old == new => changes.unchanged += 1,
            Some(old) => changes
                .changed
                .push((old.clone(), new.clone(), old.differences(new))),
        }
    }
    for old in current {
        if !incoming.iter().any(|n| n.id() == old.id()) {
            changes.removed.push(old.clone());
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct E(&'static str, u32);

    impl Entry for E {
        fn id(&self) -> &str {
            self.0
        }
        fn differences(&self, other: &Self) -> Vec<&'static str> {
            if self.1 == other.1 {
                vec![]
            } else {
                vec!["value"]
            }
        }
    }

    #[test]
    fn adds_changes_and_removals_are_told_apart() {
        let current = [E("a", 1), E("b", 2), E("c", 3)];
        let incoming = [E("b", 2), E("c", 4), E("d", 5)];
        let c = diff(&current, &incoming);
        assert_eq!(c.added, vec![E("d", 5)]);
        assert_eq!(c.changed, vec![(E("c", 3), E("c", 4), vec!["value"])]);
        assert_eq!(c.removed, vec![E("a", 1)]);
        assert_eq!(c.unchanged, 1);
        assert!(!c.is_empty());
        assert!(diff(&current, &current).is_empty());
    }
}

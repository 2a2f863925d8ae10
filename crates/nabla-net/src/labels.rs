//! Checking class labels that come from data.

use crate::Error;

/// Checks that every label is below `classes`, so that the network's loss and the training
/// loop never index out of range.
///
/// # Errors
///
/// [`Error::Label`] naming the first row whose label is `classes` or more.
pub fn check_labels(labels: &[usize], classes: usize) -> Result<(), Error> {
    match labels.iter().position(|&t| t >= classes) {
        Some(row) => Err(Error::Label {
            row,
            label: labels[row],
            classes,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_bad_label_is_named() {
        assert!(check_labels(&[0, 9, 3], 10).is_ok());
        let err = check_labels(&[0, 10, 12], 10).unwrap_err();
        assert_eq!(
            err.to_string(),
            "label 10 at row 1 is out of range: the network has 10 outputs"
        );
    }
}

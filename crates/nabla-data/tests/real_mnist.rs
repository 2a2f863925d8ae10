//! Tests on the four real MNIST files in `$MNIST_DIR`. When it is unset each test says so on
//! the terminal and returns: it is skipped by name, not silently passed; with
//! `$NABLA_REQUIRE_MNIST=1` (as `.ci/run` sets it) it fails instead.

use std::io::Write;
use std::path::PathBuf;

use approx::assert_abs_diff_eq;
use nabla_data::{
    Error, Event, Mnist, MnistFile, MnistOptions, MnistSource, Split, Targets, load_mnist,
    verify_file,
};

#[path = "../src/test_http.rs"]
mod http;

fn mnist_dir(test: &str) -> Option<PathBuf> {
    match std::env::var_os("MNIST_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => Some(PathBuf::from(dir)),
        None => {
            assert!(
                std::env::var_os("NABLA_REQUIRE_MNIST").is_none_or(|v| v != "1"),
                "{test}: $MNIST_DIR is not set, and $NABLA_REQUIRE_MNIST=1 requires the real \
                 MNIST files"
            );
            // Written to the process's stderr directly: `eprintln!` would be captured, and a
            // passing test's captured output is never shown.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {test}: $MNIST_DIR is not set, the real MNIST files were not tested"
            );
            None
        }
    }
}

#[test]
fn real_mnist_shapes_labels_and_pixel_statistics() {
    let Some(dir) = mnist_dir("real_mnist_shapes_labels_and_pixel_statistics") else {
        return;
    };
    let source = MnistSource::dir(&dir)
        .with_download(false)
        .with_verify(true);
    let (train, test) = load_mnist(&source, MnistOptions::default()).unwrap();
    assert_eq!(train.images().shape(), (60000, 784));
    assert_eq!(test.images().shape(), (10000, 784));
    assert_eq!((train.len(), test.len()), (60000, 10000));
    assert_eq!(train.labels()[0], 5);
    assert_eq!(test.labels()[0], 7);

    // Exact statistics from the bytes, in f64.
    let (mean, std) = train.pixel_mean_std();
    assert_abs_diff_eq!(mean, 0.1306604762738429, epsilon = 1e-9);
    assert_abs_diff_eq!(std, 0.30810780385646264, epsilon = 1e-9);
    // The f32 matrix the network sees, summed in f64: rounding p / 255 to f32 moves the mean
    // by about 1.1e-9 (measured), so this one is checked to 1e-8.
    let m = train.images();
    let n = m.len() as f64;
    let mean32 = m.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let var32 = m
        .iter()
        .map(|&v| (f64::from(v) - mean32).powi(2))
        .sum::<f64>()
        / n;
    assert_abs_diff_eq!(mean32, 0.1306604762738429, epsilon = 1e-8);
    assert_abs_diff_eq!(var32.sqrt(), 0.30810780385646264, epsilon = 1e-8);
    // Pixels are in [0, 1] and the first image's row is its raw bytes / 255.
    assert!(m.iter().all(|&v| (0.0..=1.0).contains(&v)));
    for (j, &p) in train.pixels()[..784].iter().enumerate() {
        assert_eq!(m[(0, j)], f32::from(p) / 255.0);
    }
}

#[test]
fn real_mnist_book_options() {
    let Some(dir) = mnist_dir("real_mnist_book_options") else {
        return;
    };
    let options = MnistOptions::default()
        .with_normalize(false)
        .with_flatten(false)
        .with_one_hot_label(true);
    assert_eq!(
        (options.normalize, options.flatten, options.one_hot_label),
        (false, false, true)
    );
    let test = Mnist::load(&dir, Split::Test, options).unwrap();
    assert_eq!(test.images().shape(), (10000 * 28, 28));
    assert!(test.images().iter().any(|&v| v == 255.0));
    let Targets::OneHot(t) = test.targets() else {
        panic!("one-hot targets expected")
    };
    assert_eq!(t.shape(), (10000, 10));
    assert_eq!(t[(0, 7)], 1.0);
    assert_eq!(t.sum(), 10000.0);
}

#[test]
fn real_mnist_checksums_match() {
    let Some(dir) = mnist_dir("real_mnist_checksums_match") else {
        return;
    };
    for file in MnistFile::ALL {
        verify_file(&file.path_in(&dir), file).unwrap();
    }
}

#[test]
fn real_mnist_download_from_a_local_mirror() {
    let Some(dir) = mnist_dir("real_mnist_download_from_a_local_mirror") else {
        return;
    };
    let base = http::serve(http::files(dir));
    let cache = tempfile::tempdir().unwrap();
    // The first mirror answers 404 for every file; the second has them.
    let test = MnistSource::dir(cache.path())
        .with_mirrors(vec![format!("{base}/missing/"), format!("{base}/")])
        .load(Split::Test, MnistOptions::default(), &mut |_| {})
        .unwrap();
    assert_eq!(test.len(), 10000);
    for file in [MnistFile::TestImages, MnistFile::TestLabels] {
        verify_file(&file.path_in(cache.path()), file).unwrap();
    }
}

#[test]
fn real_mnist_corrupt_file_is_reported_and_fetched_again() {
    let Some(dir) = mnist_dir("real_mnist_corrupt_file_is_reported_and_fetched_again") else {
        return;
    };
    let local = tempfile::tempdir().unwrap();
    let images = MnistFile::TestImages.file_name();
    std::fs::copy(dir.join(images), local.path().join(images)).unwrap();
    let labels_path = write_wrong_test_labels(&dir, local.path());

    // An explicit directory is the user's: unless asked, only the structure is checked, so
    // the wrong label loads.
    let unverified = MnistSource::dir(local.path())
        .with_download(false)
        .load(Split::Test, MnistOptions::default(), &mut |_| {})
        .unwrap();
    assert_eq!(unverified.labels()[0], 8);

    // Without downloads the check fails and names the file.
    let offline = MnistSource::dir(local.path())
        .with_download(false)
        .with_verify(true);
    let err = offline
        .load(Split::Test, MnistOptions::default(), &mut |_| {})
        .unwrap_err();
    assert!(matches!(err, Error::Checksum { .. }), "{err}");
    assert!(err.to_string().contains("t10k-labels-idx1-ubyte.gz"));

    // With a mirror it is reported, fetched again and loaded.
    let base = http::serve(http::files(dir));
    let online = MnistSource::dir(local.path())
        .with_verify(true)
        .with_mirrors(vec![base]);
    let mut rejected = Vec::new();
    let test = online
        .load(Split::Test, MnistOptions::default(), &mut |e| {
            if let Event::Rejected { file, .. } = e {
                rejected.push(file);
            }
        })
        .unwrap();
    assert_eq!(rejected, vec![MnistFile::TestLabels]);
    assert_eq!(test.labels()[0], 7);
    verify_file(&labels_path, MnistFile::TestLabels).unwrap();
}

/// Writes into `local` a test label file with the right shape and one wrong label (the first,
/// 7 made 8), uncompressed: only the checksum can tell. Returns its path.
fn write_wrong_test_labels(dir: &std::path::Path, local: &std::path::Path) -> PathBuf {
    let labels = std::fs::read(MnistFile::TestLabels.path_in(dir)).unwrap();
    let labels = nabla_data::Idx::from_bytes(&labels).unwrap();
    let mut bytes = labels.header();
    bytes.extend_from_slice(labels.data());
    bytes[8] = (bytes[8] + 1) % 10;
    let path = MnistFile::TestLabels.path_in(local);
    std::fs::write(&path, &bytes).unwrap();
    path
}

#[test]
fn real_mnist_fetch_downloads_the_missing_and_replaces_the_corrupt() {
    let Some(dir) = mnist_dir("real_mnist_fetch_downloads_the_missing_and_replaces_the_corrupt")
    else {
        return;
    };
    let local = tempfile::tempdir().unwrap();
    for file in [MnistFile::TrainImages, MnistFile::TestImages] {
        std::fs::copy(file.path_in(&dir), file.path_in(local.path())).unwrap();
    }
    // The training labels are missing, the test labels wrong.
    write_wrong_test_labels(&dir, local.path());
    let base = http::serve(http::files(dir));
    let source = MnistSource::dir(local.path()).with_mirrors(vec![base]);
    let (mut verified, mut rejected, mut started) = (Vec::new(), Vec::new(), Vec::new());
    let fetched = source
        .fetch(&mut |e| match e {
            Event::Verified { file, .. } => verified.push(file),
            Event::Rejected { file, .. } => rejected.push(file),
            Event::Started { file, .. } => started.push(file),
            _ => {}
        })
        .unwrap();
    assert_eq!(fetched, local.path());
    assert_eq!(verified, [MnistFile::TrainImages, MnistFile::TestImages]);
    // A missing file is fetched without being reported as rejected.
    assert_eq!(rejected, [MnistFile::TestLabels]);
    assert_eq!(started, [MnistFile::TrainLabels, MnistFile::TestLabels]);
    for file in MnistFile::ALL {
        verify_file(&file.path_in(local.path()), file).unwrap();
    }
}

/// Copies the real files of `dir` into a fresh cache-like directory, damaging `corrupt` (a
/// flipped byte in the middle of the gzip stream: its CRC no longer matches), loads both
/// splits with downloads from a loopback mirror of `dir`, and returns the files reported bad.
fn repair(dir: &std::path::Path, corrupt: &[MnistFile]) -> Vec<MnistFile> {
    let local = tempfile::tempdir().unwrap();
    for file in MnistFile::ALL {
        let mut bytes = std::fs::read(dir.join(file.file_name())).unwrap();
        if corrupt.contains(&file) {
            let middle = bytes.len() / 2;
            bytes[middle] ^= 0x55;
        }
        std::fs::write(local.path().join(file.file_name()), bytes).unwrap();
    }
    let base = http::serve(http::files(dir.to_path_buf()));
    let source = MnistSource::dir(local.path())
        .with_verify(true)
        .with_mirrors(vec![base]);
    let mut rejected = Vec::new();
    let (train, test) =
        nabla_data::load_mnist_with_progress(&source, MnistOptions::default(), &mut |e| {
            if let Event::Rejected { file, .. } = e {
                rejected.push(file);
            }
        })
        .unwrap();
    assert_eq!((train.labels()[0], test.labels()[0]), (5, 7));
    for file in MnistFile::ALL {
        verify_file(&local.path().join(file.file_name()), file).unwrap();
    }
    rejected.sort_by_key(|f| f.file_name());
    rejected
}

#[test]
fn real_mnist_two_corrupt_files_of_one_split_are_both_repaired() {
    let Some(dir) = mnist_dir("real_mnist_two_corrupt_files_of_one_split_are_both_repaired") else {
        return;
    };
    let both = [MnistFile::TrainImages, MnistFile::TrainLabels];
    assert_eq!(repair(&dir, &both), both);
}

#[test]
fn real_mnist_all_four_corrupt_files_are_repaired_in_one_load() {
    let Some(dir) = mnist_dir("real_mnist_all_four_corrupt_files_are_repaired_in_one_load") else {
        return;
    };
    let mut all = MnistFile::ALL.to_vec();
    all.sort_by_key(|f| f.file_name());
    assert_eq!(repair(&dir, &MnistFile::ALL), all);
}

#[test]
fn missing_files_without_download_name_the_file() {
    let empty = tempfile::tempdir().unwrap();
    let source = MnistSource::dir(empty.path()).with_download(false);
    let err = source
        .load(Split::Train, MnistOptions::default(), &mut |_| {})
        .unwrap_err();
    assert!(matches!(err, Error::Missing { .. }), "{err}");
    assert!(err.to_string().contains("train-"), "{err}");
    let err = source.fetch(&mut |_| {}).unwrap_err();
    assert!(
        err.to_string().contains("train-images-idx3-ubyte.gz"),
        "{err}"
    );
}

#[test]
fn a_file_as_directory_is_an_error() {
    let file = tempfile::NamedTempFile::new().unwrap();
    let err = Mnist::load(file.path(), Split::Test, MnistOptions::default()).unwrap_err();
    assert!(err.to_string().contains("not a directory"), "{err}");
}

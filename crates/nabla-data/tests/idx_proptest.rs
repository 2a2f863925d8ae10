//! The IDX parser on random and mutated bytes: `Ok` or `Err`, never a panic; and valid files
//! round-trip.

use std::io::Write;

use flate2::{Compression, write::GzEncoder};
use nabla_data::Idx;
use proptest::prelude::*;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(bytes).expect("writing to a Vec");
    enc.finish().expect("writing to a Vec")
}

/// A valid IDX file of unsigned bytes with up to 3 small dimensions.
fn valid_idx() -> impl Strategy<Value = (Vec<usize>, Vec<u8>)> {
    prop::collection::vec(0usize..6, 0..4).prop_flat_map(|dims| {
        let n: usize = dims.iter().product();
        (Just(dims), prop::collection::vec(any::<u8>(), n))
    })
}

fn file_bytes(dims: &[usize], data: &[u8]) -> Vec<u8> {
    let idx = Idx::new(dims.to_vec(), data.to_vec()).expect("consistent parts");
    let mut bytes = idx.header();
    bytes.extend_from_slice(data);
    bytes
}

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = Idx::from_bytes(&bytes);
        // The same bytes behind a gzip magic.
        let mut gz = vec![0x1f, 0x8b];
        gz.extend_from_slice(&bytes);
        let _ = Idx::from_bytes(&gz);
    }

    #[test]
    fn valid_files_round_trip((dims, data) in valid_idx(), compress in any::<bool>()) {
        let mut bytes = file_bytes(&dims, &data);
        if compress {
            bytes = gzip(&bytes);
        }
        let idx = Idx::from_bytes(&bytes).expect("a valid file parses");
        prop_assert_eq!(idx.dims(), dims.as_slice());
        prop_assert_eq!(idx.data(), data.as_slice());
    }

    #[test]
    fn mutated_files_never_panic(
        (dims, data) in valid_idx(),
        compress in any::<bool>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..4),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut bytes = file_bytes(&dims, &data);
        if compress {
            bytes = gzip(&bytes);
        }
        for (at, mask) in flips {
            let i = at.index(bytes.len());
            bytes[i] ^= mask;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len() + 1));
        }
        match Idx::from_bytes(&bytes) {
            // A mutation that survives must still describe its own payload.
            Ok(idx) => prop_assert_eq!(idx.data().len(), idx.dims().iter().product::<usize>()),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}

//! serde round trips (only with the `serde` feature).

#[cfg(feature = "serde")]
#[test]
fn round_trip_through_json() {
    use nabla_dual::{Dual, Dual64, DualVec64, HyperDual64};
    let d = Dual64::new(1.5, -2.25);
    let back: Dual64 = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
    assert_eq!((back.re(), back.eps()), (1.5, -2.25));
    let v = DualVec64::<3>::new(0.5, [1.0, 2.0, 3.0]);
    let json = serde_json::to_string(&v).unwrap();
    assert_eq!(json, r#"{"re":0.5,"eps":[1.0,2.0,3.0]}"#);
    let back: DualVec64<3> = serde_json::from_str(&json).unwrap();
    assert_eq!(back.partials(), &[1.0, 2.0, 3.0]);
    let h = HyperDual64::from_parts(1.0, 2.0, 3.0, 4.0);
    let back: HyperDual64 = serde_json::from_str(&serde_json::to_string(&h).unwrap()).unwrap();
    assert_eq!(
        (back.re(), back.eps1(), back.eps2(), back.eps1eps2()),
        (1.0, 2.0, 3.0, 4.0)
    );
    let f = Dual::<f32>::new(0.25, 8.0);
    let back: Dual<f32> = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
    assert_eq!((back.re(), back.eps()), (0.25, 8.0));
    // A malformed document is an error, not a panic.
    assert!(serde_json::from_str::<Dual64>(r#"{"re":1.0}"#).is_err());
}

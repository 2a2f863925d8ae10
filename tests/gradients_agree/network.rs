//! simpleNet and a small TwoLayerNet (filled in when nabla-net's API is complete).

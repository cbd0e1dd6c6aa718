use harness::*;

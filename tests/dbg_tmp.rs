mod common;
use cfdash::cloudfront::sim::{SimData, SimSettings};
use common::Harness;
#[test]
fn dbg() {
    let mut h = Harness::unsettled(SimData::demo(), SimSettings::default(), 80, 24);
    h.app.profile = String::new();
    h.app.mode = cfdash::app::Mode::Welcome;
    h.ch('c');
    h.typed("lab");
    println!(
        "mode {:?} value {:?}",
        h.app.mode,
        h.app
            .profile_form
            .as_ref()
            .map(|f| f.inputs[0].value().to_string())
    );
}

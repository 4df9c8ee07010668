//! Dummy credentials for the SDK path against emulators on loopback, set in the process
//! environment (the AWS chain is the only place cfdash takes credentials from).

/// # Safety
/// Call before any other thread of the process reads or writes the environment: in a test
/// binary holding a single test, at its start.
pub unsafe fn use_dummy_credentials() {
    // SAFETY: the caller promises no other thread touches the environment now.
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
        std::env::set_var("AWS_DEFAULT_REGION", "us-east-1");
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
        std::env::remove_var("AWS_PROFILE");
        std::env::remove_var("AWS_ENDPOINT_URL");
    }
}

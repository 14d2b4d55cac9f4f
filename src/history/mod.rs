//! History: closest safe commit on mainline, introducing commits, release-size baselines.

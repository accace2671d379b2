//! The leak detectors' options in one table (names, CLI flags, bounds, defaults, help), the
//! overlay of a user's choices over recorded (or default) parameters, and their validation.
//!
//! Every host goes through here: `memwatch analyze`/`run` build their flags from [`OPTIONS`] and
//! turn them into [`AnalyzerOverrides`]; the wasm `analyzeExport`, `Export.analyze` and
//! `Analyzer` take the same overrides as a JS object; the viewer's form reads its bounds from
//! [`OPTIONS`] through wasm. So a value is accepted or rejected, with the same message, everywhere.
//!
//! ```
//! use memwatch_core::analyzer::AnalyzerConfig;
//! use memwatch_core::detector_options::AnalyzerOverrides;
//! use memwatch_core::leak::DetectorKind;
//! let mut o = AnalyzerOverrides::default();
//! o.set(DetectorKind::Classic, "growth_count", 3.0);
//! o.turn_off(DetectorKind::Trend);
//! let c = AnalyzerConfig::default().overlay(&o).unwrap();
//! assert_eq!(c.classic.unwrap().growth_count, 3);
//! assert!(c.trend.is_none());
//!
//! let mut bad = AnalyzerOverrides::default();
//! bad.set(DetectorKind::Trend, "window", 1.0);
//! let e = AnalyzerConfig::default().overlay(&bad).unwrap_err();
//! assert_eq!(e.to_string(), "invalid detector option trend.window (--trend-window): must be an integer from 2 to 4096, got 1");
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::analyzer::AnalyzerConfig;
use crate::leak::{ClassicConfig, DetectorKind, TrendConfig};

/// The largest integer a JavaScript number holds exactly: the upper bound of byte and GC counts,
/// so an accepted value means the same in the CLI, in Node and in the browser.
pub const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// Bounds of the trend window (full-GC baselines).
pub const TREND_WINDOW_MIN: usize = 2;
pub const TREND_WINDOW_MAX: usize = 4096;

/// Whether an option takes whole numbers only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum ValueKind {
    Integer,
    Number,
}

/// One detector option.
#[derive(Clone, Copy)]
pub struct DetectorOption {
    pub detector: DetectorKind,
    /// Field name in [`AnalyzerConfig`] (and in the export header, and in JS options).
    pub name: &'static str,
    /// The `memwatch` flag, without the leading dashes.
    pub flag: &'static str,
    pub kind: ValueKind,
    /// Inclusive bounds.
    pub min: f64,
    pub max: f64,
    pub help: &'static str,
    get: fn(&AnalyzerConfig) -> Option<f64>,
    set: fn(&mut AnalyzerConfig, f64),
}

fn classic(c: &mut AnalyzerConfig) -> &mut ClassicConfig {
    c.classic.get_or_insert_with(ClassicConfig::default)
}

fn trend(c: &mut AnalyzerConfig) -> &mut TrendConfig {
    c.trend.get_or_insert_with(TrendConfig::default)
}

// The `as` casts in the setters are exact: `overlay` checks each value against the option's
// bounds (integral, within the target type) before setting it.
/// Every detector option, classic first, in the order of the export header.
pub const OPTIONS: [DetectorOption; 8] = [
    DetectorOption {
        detector: DetectorKind::Classic,
        name: "growth_count",
        flag: "growth-count",
        kind: ValueKind::Integer,
        min: 1.0,
        max: u32::MAX as f64,
        help: "Classic rule: consecutive growing full GCs that make a leak (node-memwatch: 5)",
        get: |c| c.classic.as_ref().map(|c| f64::from(c.growth_count)),
        set: |c, v| classic(c).growth_count = v as u32,
    },
    DetectorOption {
        detector: DetectorKind::Classic,
        name: "noise_floor_bytes",
        flag: "noise-floor-bytes",
        kind: ValueKind::Integer,
        min: 0.0,
        max: MAX_SAFE_INTEGER,
        help: "Classic rule: a rise counts only above this many bytes (0 with --noise-floor-percent 0 \
               reproduces node-memwatch)",
        get: |c| c.classic.as_ref().map(|c| c.noise_floor_bytes as f64),
        set: |c, v| classic(c).noise_floor_bytes = v as u64,
    },
    DetectorOption {
        detector: DetectorKind::Classic,
        name: "noise_floor_percent",
        flag: "noise-floor-percent",
        kind: ValueKind::Number,
        min: 0.0,
        max: 100.0,
        help: "Classic rule: ... and above this percentage of the previous used size",
        get: |c| c.classic.as_ref().map(|c| c.noise_floor_percent),
        set: |c, v| classic(c).noise_floor_percent = v,
    },
    DetectorOption {
        detector: DetectorKind::Trend,
        name: "window",
        flag: "trend-window",
        kind: ValueKind::Integer,
        min: TREND_WINDOW_MIN as f64,
        max: TREND_WINDOW_MAX as f64,
        help: "Trend detector: full-GC baselines in the regression window",
        get: |c| c.trend.as_ref().map(|t| t.window as f64),
        set: |c, v| trend(c).window = v as usize,
    },
    DetectorOption {
        detector: DetectorKind::Trend,
        name: "warmup_gcs",
        flag: "trend-warmup",
        kind: ValueKind::Integer,
        min: 0.0,
        max: MAX_SAFE_INTEGER,
        help: "Trend detector: full GCs ignored at the start",
        get: |c| c.trend.as_ref().map(|t| t.warmup_gcs as f64),
        set: |c, v| trend(c).warmup_gcs = v as u64,
    },
    DetectorOption {
        detector: DetectorKind::Trend,
        name: "min_r2",
        flag: "trend-min-r2",
        kind: ValueKind::Number,
        min: 0.0,
        max: 1.0,
        help: "Trend detector: minimum fit quality r² (0..1)",
        get: |c| c.trend.as_ref().map(|t| t.min_r2),
        set: |c, v| trend(c).min_r2 = v,
    },
    DetectorOption {
        detector: DetectorKind::Trend,
        name: "min_growth_bytes",
        flag: "trend-min-growth-bytes",
        kind: ValueKind::Integer,
        min: 0.0,
        max: MAX_SAFE_INTEGER,
        help: "Trend detector: minimum fitted growth over the window, in bytes",
        get: |c| c.trend.as_ref().map(|t| t.min_growth_bytes as f64),
        set: |c, v| trend(c).min_growth_bytes = v as u64,
    },
    DetectorOption {
        detector: DetectorKind::Trend,
        name: "min_growth_percent",
        // Growth over a window can exceed 100% of its first baseline; the bound only keeps the
        // value finite and meaningful.
        flag: "trend-min-growth-percent",
        kind: ValueKind::Number,
        min: 0.0,
        max: 1_000_000.0,
        help: "Trend detector: minimum fitted growth over the window, in percent of the first baseline",
        get: |c| c.trend.as_ref().map(|t| t.min_growth_percent),
        set: |c, v| trend(c).min_growth_percent = v,
    },
];

/// The flags that turn a detector off (`--no-classic`, `--no-trend`).
pub fn off_flag(detector: DetectorKind) -> &'static str {
    match detector {
        DetectorKind::Classic => "no-classic",
        DetectorKind::Trend => "no-trend",
    }
}

/// The detector names of [`AnalyzerConfig`]'s fields.
pub fn detector_name(detector: DetectorKind) -> &'static str {
    match detector {
        DetectorKind::Classic => "classic",
        DetectorKind::Trend => "trend",
    }
}

fn detector_by_name(name: &str) -> Option<DetectorKind> {
    [DetectorKind::Classic, DetectorKind::Trend].into_iter().find(|&d| detector_name(d) == name)
}

impl DetectorOption {
    /// The value [`AnalyzerConfig::default`] gives this option.
    pub fn default_value(&self) -> f64 {
        // Both detectors are on by default, so `get` finds the field.
        (self.get)(&AnalyzerConfig::default()).unwrap_or(self.min)
    }

    /// The option's name in the npm package's Node options (`memwatch.configure`), which are
    /// camelCase like every other JS option there: `growth_count` -> `growthCount`.
    pub fn js_name(&self) -> String {
        let mut out = String::with_capacity(self.name.len());
        let mut upper = false;
        for c in self.name.chars() {
            if c == '_' {
                upper = true;
            } else if upper {
                out.push(c.to_ascii_uppercase());
                upper = false;
            } else {
                out.push(c);
            }
        }
        out
    }

    /// `classic.growth_count`: the option's path in the config object.
    pub fn path(&self) -> String {
        format!("{}.{}", detector_name(self.detector), self.name)
    }

    /// Whether `value` is acceptable: finite, integral for integer options, within bounds.
    pub fn check(&self, value: f64) -> Result<(), OptionError> {
        let problem = if !value.is_finite() {
            Some("must be a finite number")
        } else if self.kind == ValueKind::Integer && (value.fract() != 0.0 || value < self.min || value > self.max) {
            Some("must be an integer")
        } else if value < self.min || value > self.max {
            Some("must be a number")
        } else {
            None
        };
        match problem {
            None => Ok(()),
            Some(problem) => Err(OptionError::Invalid {
                option: self.path(),
                flag: self.flag,
                problem: format!("{problem} from {} to {}", self.min, self.max),
                value,
            }),
        }
    }
}

/// What a viewer or script needs to know of an option (the serializable part of
/// [`DetectorOption`], with its default).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct DetectorOptionInfo {
    pub detector: DetectorKind,
    pub name: &'static str,
    /// The name in the npm package's camelCase Node options ([`DetectorOption::js_name`]).
    pub js_name: String,
    pub flag: &'static str,
    pub kind: ValueKind,
    pub min: f64,
    pub max: f64,
    pub default: f64,
    pub help: &'static str,
}

/// [`OPTIONS`] with their defaults, for hosts that present them.
pub fn option_infos() -> Vec<DetectorOptionInfo> {
    OPTIONS
        .iter()
        .map(|o| DetectorOptionInfo {
            detector: o.detector,
            name: o.name,
            js_name: o.js_name(),
            flag: o.flag,
            kind: o.kind,
            min: o.min,
            max: o.max,
            default: o.default_value(),
            help: o.help,
        })
        .collect()
}

/// A user's choices, in the shape of the export header's `analyzer` object with every field
/// optional: a detector left out keeps the base's parameters, `null` turns it off, an object sets
/// the options it names (turning the detector on, with defaults for the rest, if the base had it
/// off). `{}` changes nothing.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct AnalyzerOverrides(BTreeMap<String, Option<BTreeMap<String, f64>>>);

impl AnalyzerOverrides {
    /// Sets one option (turning its detector on unless [`turn_off`](Self::turn_off) follows).
    pub fn set(&mut self, detector: DetectorKind, option: &str, value: f64) {
        let section = self.0.entry(detector_name(detector).to_string()).or_insert_with(|| Some(BTreeMap::new()));
        if let Some(values) = section {
            values.insert(option.to_string(), value);
        }
    }

    /// Turns a detector off; wins over options set for it.
    pub fn turn_off(&mut self, detector: DetectorKind) {
        self.0.insert(detector_name(detector).to_string(), None);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Checks the names and values given, without a base (so a host can reject a bad option
    /// before it reads any input).
    pub fn check(&self) -> Result<(), OptionError> {
        for (detector, section) in &self.0 {
            let kind = detector_by_name(detector).ok_or_else(|| OptionError::UnknownDetector(detector.clone()))?;
            for (name, &value) in section.iter().flatten() {
                find(kind, name)?.check(value)?;
            }
        }
        Ok(())
    }
}

fn find(detector: DetectorKind, name: &str) -> Result<&'static DetectorOption, OptionError> {
    OPTIONS
        .iter()
        .find(|o| o.detector == detector && o.name == name)
        .ok_or_else(|| OptionError::UnknownOption { detector: detector_name(detector), name: name.to_string() })
}

impl AnalyzerConfig {
    /// `self` (recorded or default parameters) with `overrides` laid over it, validated.
    pub fn overlay(&self, overrides: &AnalyzerOverrides) -> Result<AnalyzerConfig, OptionError> {
        overrides.check()?;
        let mut out = self.clone();
        for (detector, section) in &overrides.0 {
            let kind = detector_by_name(detector).ok_or_else(|| OptionError::UnknownDetector(detector.clone()))?;
            match (section, kind) {
                (None, DetectorKind::Classic) => out.classic = None,
                (None, DetectorKind::Trend) => out.trend = None,
                (Some(values), DetectorKind::Classic) if out.classic.is_none() && values.is_empty() => {
                    out.classic = Some(ClassicConfig::default())
                }
                (Some(values), DetectorKind::Trend) if out.trend.is_none() && values.is_empty() => {
                    out.trend = Some(TrendConfig::default())
                }
                (Some(values), _) => {
                    // Each setter turns its detector on (with defaults for the other fields).
                    for (name, &value) in values {
                        (find(kind, name)?.set)(&mut out, value);
                    }
                }
            }
        }
        out.validate()?;
        Ok(out)
    }

    /// Every option of every detector that is on is within its bounds (a header written by hand,
    /// or a config built in code, can hold anything).
    pub fn validate(&self) -> Result<(), OptionError> {
        for o in &OPTIONS {
            if let Some(value) = (o.get)(self) {
                o.check(value)?;
            }
        }
        Ok(())
    }
}

/// Why detector options were rejected. The message names the option as both a config path and a
/// flag, so it reads right in the CLI and in JavaScript.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum OptionError {
    #[error("unknown detector {0:?} (expected \"classic\" or \"trend\")")]
    UnknownDetector(String),
    #[error("unknown {detector} option {name:?} (expected one of {})", Names(detector))]
    UnknownOption { detector: &'static str, name: String },
    #[error("invalid detector option {option} (--{flag}): {problem}, got {value}")]
    Invalid { option: String, flag: &'static str, problem: String, value: f64 },
}

/// The option names of one detector, for messages.
struct Names(&'static str);

impl fmt::Display for Names {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = OPTIONS.iter().filter(|o| detector_name(o.detector) == self.0).map(|o| o.name).collect();
        f.write_str(&names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overrides(json: &str) -> AnalyzerOverrides {
        serde_json::from_str(json).expect("valid overrides JSON")
    }

    fn err(base: &AnalyzerConfig, json: &str) -> String {
        base.overlay(&overrides(json)).expect_err("rejected").to_string()
    }

    #[test]
    fn js_names_are_the_names_in_camel_case() {
        let names: Vec<(String, &str)> = OPTIONS.iter().map(|o| (o.js_name(), o.name)).collect();
        assert!(names.contains(&("growthCount".to_string(), "growth_count")));
        assert!(names.contains(&("noiseFloorPercent".to_string(), "noise_floor_percent")));
        assert!(names.contains(&("window".to_string(), "window")));
        assert!(option_infos().iter().all(|i| !i.js_name.contains('_')));
    }

    #[test]
    fn overlay_changes_only_the_named_fields() {
        let base = AnalyzerConfig {
            classic: Some(ClassicConfig { growth_count: 2, noise_floor_bytes: 7, noise_floor_percent: 0.0 }),
            trend: None,
        };
        let c = base.overlay(&overrides(r#"{"classic": {"growth_count": 3}}"#)).expect("valid");
        assert_eq!(c.classic, Some(ClassicConfig { growth_count: 3, noise_floor_bytes: 7, noise_floor_percent: 0.0 }));
        assert_eq!(c.trend, None, "a detector left out keeps the base (off)");
        assert_eq!(base.overlay(&AnalyzerOverrides::default()).expect("valid"), base);
    }

    #[test]
    fn null_turns_off_and_an_object_turns_on_with_defaults() {
        let base = AnalyzerConfig { classic: Some(ClassicConfig::default()), trend: None };
        let c = base.overlay(&overrides(r#"{"classic": null, "trend": {"window": 4}}"#)).expect("valid");
        assert_eq!(c.classic, None);
        assert_eq!(c.trend, Some(TrendConfig { window: 4, ..TrendConfig::default() }));
        let c = base.overlay(&overrides(r#"{"trend": {}}"#)).expect("valid");
        assert_eq!(c.trend, Some(TrendConfig::default()));
    }

    #[test]
    fn turn_off_wins_over_options_set_for_the_same_detector() {
        let mut o = AnalyzerOverrides::default();
        o.set(DetectorKind::Classic, "growth_count", 3.0);
        o.turn_off(DetectorKind::Classic);
        assert_eq!(AnalyzerConfig::default().overlay(&o).expect("valid").classic, None);
    }

    #[test]
    fn unknown_names_are_errors_naming_them() {
        let base = AnalyzerConfig::default();
        assert_eq!(err(&base, r#"{"clasic": {}}"#), r#"unknown detector "clasic" (expected "classic" or "trend")"#);
        assert_eq!(
            err(&base, r#"{"trend": {"windw": 3}}"#),
            r#"unknown trend option "windw" (expected one of window, warmup_gcs, min_r2, min_growth_bytes, min_growth_percent)"#
        );
    }

    #[test]
    fn out_of_range_fractional_and_non_finite_values_are_rejected() {
        let base = AnalyzerConfig::default();
        assert_eq!(
            err(&base, r#"{"classic": {"growth_count": 0}}"#),
            "invalid detector option classic.growth_count (--growth-count): must be an integer from 1 to 4294967295, got 0"
        );
        assert_eq!(
            err(&base, r#"{"classic": {"growth_count": 2.5}}"#),
            "invalid detector option classic.growth_count (--growth-count): must be an integer from 1 to 4294967295, got 2.5"
        );
        assert_eq!(
            err(&base, r#"{"trend": {"min_r2": 1.5}}"#),
            "invalid detector option trend.min_r2 (--trend-min-r2): must be a number from 0 to 1, got 1.5"
        );
        assert!(err(&base, r#"{"trend": {"window": 4097}}"#).contains("from 2 to 4096, got 4097"));
        assert!(err(&base, r#"{"classic": {"noise_floor_percent": -1}}"#).contains("got -1"));
        // JSON has no NaN or infinity; hosts (CLI flags, JS numbers) do.
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            for o in &OPTIONS {
                let mut ov = AnalyzerOverrides::default();
                ov.set(o.detector, o.name, bad);
                let e = base.overlay(&ov).expect_err("non-finite rejected").to_string();
                assert!(e.contains(&format!("{} (--{}): must be a finite number", o.path(), o.flag)), "{e}");
            }
        }
    }

    #[test]
    fn validate_rejects_bad_recorded_values_and_accepts_defaults() {
        assert_eq!(AnalyzerConfig::default().validate(), Ok(()));
        let c =
            AnalyzerConfig { classic: None, trend: Some(TrendConfig { min_r2: f64::NAN, ..TrendConfig::default() }) };
        assert!(c.validate().expect_err("NaN").to_string().contains("trend.min_r2"));
        // A bad recorded value can be fixed by overriding it.
        let c = AnalyzerConfig {
            classic: Some(ClassicConfig { growth_count: 0, ..ClassicConfig::default() }),
            trend: None,
        };
        assert!(c.validate().is_err());
        assert!(c.overlay(&overrides(r#"{"classic": {"growth_count": 4}}"#)).is_ok());
        assert!(c.overlay(&overrides(r#"{"classic": null}"#)).is_ok(), "an off detector is not checked");
    }

    #[test]
    fn defaults_are_within_bounds_and_match_the_config_defaults() {
        let infos = option_infos();
        assert_eq!(infos.len(), 8);
        let growth = infos.iter().find(|o| o.name == "growth_count").expect("listed");
        assert_eq!(growth.default, f64::from(ClassicConfig::default().growth_count));
        let window = infos.iter().find(|o| o.name == "window").expect("listed");
        assert_eq!(window.default, TrendConfig::default().window as f64);
        for o in &OPTIONS {
            assert_eq!(o.check(o.default_value()), Ok(()), "{}", o.name);
        }
    }
}

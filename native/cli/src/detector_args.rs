//! The leak-detector flags of `memwatch analyze` and `memwatch run`, built from core's option
//! table (names, bounds, help) and handed back to core as overrides: values are parsed as numbers
//! here and checked only by core, so a bad value gets the same message as in the wasm package.

use clap::{Arg, ArgAction, ArgMatches, Command};
use memwatch_core::detector_options::{detector_name, off_flag, AnalyzerOverrides, ValueKind, OPTIONS};
use memwatch_core::leak::DetectorKind;

const DETECTORS: [DetectorKind; 2] = [DetectorKind::Classic, DetectorKind::Trend];

/// Detector options given on the command line.
#[derive(Clone, Debug, Default)]
pub struct DetectorArgs {
    overrides: AnalyzerOverrides,
}

impl DetectorArgs {
    /// The options as core overrides (a detector turned off wins over its options).
    pub fn overrides(&self) -> &AnalyzerOverrides {
        &self.overrides
    }
}

impl clap::FromArgMatches for DetectorArgs {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        let mut overrides = AnalyzerOverrides::default();
        for o in &OPTIONS {
            if let Some(&v) = m.get_one::<f64>(o.flag) {
                overrides.set(o.detector, o.name, v);
            }
        }
        for d in DETECTORS {
            if m.get_flag(off_flag(d)) {
                overrides.turn_off(d);
            }
        }
        Ok(DetectorArgs { overrides })
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

impl clap::Args for DetectorArgs {
    fn augment_args(cmd: Command) -> Command {
        let mut cmd = cmd.next_help_heading("Leak detectors");
        for o in &OPTIONS {
            let range = format!("{}..={}", o.min, o.max);
            let mut arg = Arg::new(o.flag)
                .long(o.flag)
                .value_name(if o.kind == ValueKind::Integer { "N" } else { "NUMBER" })
                .value_parser(clap::value_parser!(f64))
                .allow_negative_numbers(true)
                .help(format!("{} [{range}; built-in default {}]", o.help, o.default_value()));
            if o.name == "growth_count" {
                // The name `memwatch run` had before it took every detector option.
                arg = arg.alias("leak-growth-count");
            }
            cmd = cmd.arg(arg);
        }
        for d in DETECTORS {
            cmd = cmd.arg(
                Arg::new(off_flag(d))
                    .long(off_flag(d))
                    .action(ArgAction::SetTrue)
                    .help(format!("Turn the {} detector off", detector_name(d))),
            );
        }
        cmd
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

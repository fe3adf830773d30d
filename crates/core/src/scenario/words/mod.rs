//! The words of the tutorial, in Chinese and English: what a step's typed report
//! ([`StepReport`]) prints, its corrections, the steps' titles and teaching texts.
//! The one place with language: the page and the CLI render with it; the engine
//! (the scenario's runners) never calls it and never branches on language.

mod corrections;
mod lines;
pub mod texts;

use serde::{Deserialize, Serialize};

pub use corrections::correction;
pub use lines::line;
pub use texts::{annlab_code, explanation, pymilvus_code, title};

use super::report::StepReport;
use super::steps::StepId;

/// Output language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// Picks the text of this language.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// The key of the language (`zh`, `en`): URLs and command lines.
    pub fn key(self) -> &'static str {
        self.pick("zh", "en")
    }

    pub fn from_key(key: &str) -> Option<Lang> {
        match key {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// "The tutorial says … / we measured …", in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownCorrection {
    pub tutorial: String,
    pub measured: String,
}

/// A step's report in words: what the page and the CLI show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shown {
    pub title: String,
    /// What the tutorial's script prints, with the measured numbers.
    pub lines: Vec<String>,
    pub corrections: Vec<ShownCorrection>,
    /// The engine's own text, introduced where it needs to be.
    pub text: Option<String>,
}

/// `r` in `lang`.
pub fn show(r: &StepReport, lang: Lang) -> Shown {
    Shown {
        title: title(r.step, lang).to_owned(),
        lines: r.lines.iter().map(|l| line(l, lang)).collect(),
        corrections: r.corrections.iter().map(|c| correction(c, lang)).collect(),
        text: r.text.as_ref().map(|t| match r.step {
            StepId::Cleanup => format!("search after release: {t}"),
            _ => t.clone(),
        }),
    }
}

/// The labels of a correction's two halves.
pub fn correction_labels(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::Zh => ("教程写道", "实测"),
        Lang::En => ("the tutorial says", "measured"),
    }
}

/// The script's last line: the whole run's time.
pub fn done_in(seconds: f64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("测试完成，总耗时: {seconds:.1}秒"),
        Lang::En => format!("Done in: {seconds:.1} s"),
    }
}

#[cfg(test)]
mod tests;

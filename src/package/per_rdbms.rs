//! A manifest value that is either the same for every RDBMS or given per RDBMS:
//! `sql = "SELECT 1"` or `sql = { sqlite = "...", postgres = "..." }`.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use crate::rdbms::Rdbms;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PerRdbms<T> {
    All(T),
    Each {
        sqlite: Option<T>,
        postgres: Option<T>,
        mysql: Option<T>,
    },
}

impl<T> PerRdbms<T> {
    pub fn get(&self, rdbms: Rdbms) -> Option<&T> {
        match self {
            PerRdbms::All(v) => Some(v),
            PerRdbms::Each {
                sqlite,
                postgres,
                mysql,
            } => match rdbms {
                Rdbms::Sqlite => sqlite.as_ref(),
                Rdbms::Postgres => postgres.as_ref(),
                Rdbms::Mysql => mysql.as_ref(),
            },
        }
    }

    /// The RDBMSes this value covers, for messages such as "only for sqlite".
    pub fn covered(&self) -> Vec<Rdbms> {
        Rdbms::ALL
            .into_iter()
            .filter(|r| self.get(*r).is_some())
            .collect()
    }
}

impl<'de> Deserialize<'de> for PerRdbms<String> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(PerRdbmsVisitor(PhantomData))
    }
}

struct PerRdbmsVisitor<T>(PhantomData<T>);

impl<'de> Visitor<'de> for PerRdbmsVisitor<String> {
    type Value = PerRdbms<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string, or a table with keys sqlite, postgres and mysql")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(PerRdbms::All(v.to_string()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut sqlite, mut postgres, mut mysql) = (None, None, None);
        while let Some(key) = map.next_key::<String>()? {
            let slot = match key.as_str() {
                "sqlite" => &mut sqlite,
                "postgres" => &mut postgres,
                "mysql" => &mut mysql,
                other => {
                    return Err(de::Error::custom(format!(
                        "unknown RDBMS '{other}': expected sqlite, postgres or mysql"
                    )))
                }
            };
            if slot.is_some() {
                return Err(de::Error::custom(format!("'{key}' is given twice")));
            }
            *slot = Some(map.next_value::<String>()?);
        }
        if sqlite.is_none() && postgres.is_none() && mysql.is_none() {
            return Err(de::Error::custom(
                "an empty table: give at least one of sqlite, postgres or mysql",
            ));
        }
        Ok(PerRdbms::Each {
            sqlite,
            postgres,
            mysql,
        })
    }
}

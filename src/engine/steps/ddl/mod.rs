//! What a DDL statement leaves in the catalog, read from its text: which table, column,
//! index, constraint, trigger or view exists or is gone once it has run. A crash can
//! cut a run short between a statement that commits on its own and its journal record;
//! the catalog then tells whether that statement took effect.

/// A name as written: quoted names keep their case, bare ones follow the RDBMS's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub schema: Option<String>,
    pub name: String,
    pub quoted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Object {
    Table(Name),
    View(Name),
    Column {
        table: Name,
        column: Name,
    },
    Index {
        table: Option<Name>,
        name: Name,
    },
    Constraint {
        table: Name,
        name: Name,
    },
    Trigger(Name),
    /// A function or procedure, by name whatever its arguments.
    Routine(Name),
}

/// One thing a statement changes: `object` exists after it ran, or (`exists` false) is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effect {
    pub object: Object,
    pub exists: bool,
}

mod cursor;

use cursor::{tokens, Cursor, Tok};

/// The effects of `sql`, or an empty list when they cannot be read from its text.
pub fn effects(sql: &str) -> Vec<Effect> {
    let toks = tokens(sql);
    let mut c = Cursor { t: &toks, i: 0 };
    let created = |object| Effect {
        object,
        exists: true,
    };
    let dropped = |object| Effect {
        object,
        exists: false,
    };
    if c.eat("CREATE") {
        c.eat_all(&["OR", "REPLACE"]);
        while c.eat("TEMPORARY")
            || c.eat("TEMP")
            || c.eat("UNIQUE")
            || c.eat("FULLTEXT")
            || c.eat("SPATIAL")
            || c.eat("UNLOGGED")
            || c.eat("ONLINE")
        {}
        // MySQL's CREATE [ALGORITHM=..] [DEFINER=..] [SQL SECURITY ..] VIEW/TRIGGER.
        while matches!(c.peek(), Some(t) if t.is("ALGORITHM") || t.is("DEFINER") || t.is("SQL")) {
            while c.peek().is_some_and(|t| !(t.is("VIEW") || t.is("TRIGGER"))) {
                c.i += 1;
            }
        }
        if c.eat("TABLE") {
            c.skip_if_exists();
            return c
                .name()
                .map(|n| vec![created(Object::Table(n))])
                .unwrap_or_default();
        }
        if c.eat("VIEW") {
            c.skip_if_exists();
            return c
                .name()
                .map(|n| vec![created(Object::View(n))])
                .unwrap_or_default();
        }
        if c.eat("TRIGGER") {
            c.skip_if_exists();
            return c
                .name()
                .map(|n| vec![created(Object::Trigger(n))])
                .unwrap_or_default();
        }
        if c.eat("FUNCTION") || c.eat("PROCEDURE") {
            c.skip_if_exists();
            return c
                .name()
                .map(|n| vec![created(Object::Routine(n))])
                .unwrap_or_default();
        }
        if c.eat("INDEX") {
            c.eat("CONCURRENTLY");
            c.skip_if_exists();
            let Some(name) = c.name() else {
                return Vec::new();
            };
            if !c.eat("ON") {
                return Vec::new();
            }
            c.eat("ONLY");
            let table = c.name();
            return vec![created(Object::Index { table, name })];
        }
        return Vec::new();
    }
    if c.eat("DROP") {
        c.eat("TEMPORARY");
        let kind = ["TABLE", "VIEW", "TRIGGER", "INDEX", "FUNCTION", "PROCEDURE"]
            .into_iter()
            .find(|k| c.eat(k));
        let Some(kind) = kind else {
            return Vec::new();
        };
        c.eat("CONCURRENTLY");
        c.skip_if_exists();
        let mut out = Vec::new();
        loop {
            let Some(n) = c.name() else {
                return Vec::new();
            };
            let object = match kind {
                "TABLE" => Object::Table(n),
                "VIEW" => Object::View(n),
                "TRIGGER" => Object::Trigger(n),
                "FUNCTION" | "PROCEDURE" => {
                    // PostgreSQL's argument list: skipped to the next name.
                    if c.peek() == Some(&Tok::Punct('(')) {
                        let mut depth = 0;
                        while let Some(t) = c.peek().cloned() {
                            c.i += 1;
                            match t {
                                Tok::Punct('(') => depth += 1,
                                Tok::Punct(')') => {
                                    depth -= 1;
                                    if depth == 0 {
                                        break;
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                    Object::Routine(n)
                }
                _ => {
                    // MySQL names the table: DROP INDEX i ON t.
                    let table = if c.eat("ON") { c.name() } else { None };
                    Object::Index { table, name: n }
                }
            };
            out.push(dropped(object));
            if c.peek() != Some(&Tok::Punct(',')) {
                break;
            }
            c.i += 1;
        }
        return out;
    }
    if c.eat("RENAME") && c.eat("TABLE") {
        let mut out = Vec::new();
        loop {
            let Some(from) = c.name() else {
                return Vec::new();
            };
            let Some(to) = c.eat("TO").then(|| c.name()).flatten() else {
                return Vec::new();
            };
            out.push(dropped(Object::Table(from)));
            out.push(created(Object::Table(to)));
            if c.peek() != Some(&Tok::Punct(',')) {
                break;
            }
            c.i += 1;
        }
        return out;
    }
    c.i = 0;
    if c.eat("ALTER") {
        c.eat("ONLINE");
        c.eat("IGNORE");
        if !c.eat("TABLE") {
            return Vec::new();
        }
        c.skip_if_exists();
        c.eat("ONLY");
        let Some(table) = c.name() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for action in split_actions(&toks[c.i..]) {
            out.extend(alter_action(&table, action));
        }
        return out;
    }
    Vec::new()
}

/// The actions of an ALTER TABLE, split at the commas outside parentheses.
fn split_actions(t: &[Tok]) -> Vec<&[Tok]> {
    let (mut depth, mut start, mut out) = (0i32, 0, Vec::new());
    for (i, tok) in t.iter().enumerate() {
        match tok {
            Tok::Punct('(') => depth += 1,
            Tok::Punct(')') => depth -= 1,
            Tok::Punct(',') if depth == 0 => {
                out.push(&t[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&t[start..]);
    out
}

const NOT_A_COLUMN: [&str; 11] = [
    "CONSTRAINT",
    "INDEX",
    "KEY",
    "UNIQUE",
    "FOREIGN",
    "PRIMARY",
    "FULLTEXT",
    "SPATIAL",
    "CHECK",
    "PARTITION",
    "PERIOD",
];

fn alter_action(table: &Name, t: &[Tok]) -> Vec<Effect> {
    let mut c = Cursor { t, i: 0 };
    let col = |column: Name| Object::Column {
        table: table.clone(),
        column,
    };
    let eff = |object, exists| Effect { object, exists };
    if c.eat("ADD") {
        if c.eat("CONSTRAINT") {
            // ADD CONSTRAINT [IF NOT EXISTS] name ...; unnamed ones cannot be looked up.
            c.skip_if_exists();
            if c.peek().is_some_and(|t| {
                t.is("FOREIGN") || t.is("UNIQUE") || t.is("CHECK") || t.is("PRIMARY")
            }) {
                return Vec::new();
            }
            return added_constraint(&mut c, table);
        }
        if c.eat_all(&["FOREIGN", "KEY"]) {
            c.skip_if_exists();
            if c.peek() == Some(&Tok::Punct('(')) {
                return Vec::new();
            }
            return added_constraint(&mut c, table);
        }
        c.eat("UNIQUE");
        c.eat("FULLTEXT");
        c.eat("SPATIAL");
        if c.eat("INDEX") || c.eat("KEY") {
            c.skip_if_exists();
            if c.peek() == Some(&Tok::Punct('(')) {
                return Vec::new();
            }
            return c
                .name()
                .map(|name| {
                    vec![eff(
                        Object::Index {
                            table: Some(table.clone()),
                            name,
                        },
                        true,
                    )]
                })
                .unwrap_or_default();
        }
        if c.peek()
            .is_some_and(|t| NOT_A_COLUMN.iter().any(|k| t.is(k)))
        {
            return Vec::new();
        }
        c.eat("COLUMN");
        c.skip_if_exists();
        if c.peek() == Some(&Tok::Punct('(')) {
            // MySQL: ADD COLUMN (a INT, b INT).
            c.i += 1;
            let mut out = Vec::new();
            for part in split_actions(&t[c.i..]) {
                let mut p = Cursor { t: part, i: 0 };
                if let Some((n, q)) = p.ident() {
                    out.push(eff(col(plain(n, q)), true));
                }
            }
            return out;
        }
        return c
            .ident()
            .map(|(n, q)| vec![eff(col(plain(n, q)), true)])
            .unwrap_or_default();
    }
    if c.eat("DROP") {
        if c.eat("CONSTRAINT") || c.eat_all(&["FOREIGN", "KEY"]) || c.eat("CHECK") {
            c.skip_if_exists();
            return c
                .ident()
                .map(|(n, q)| {
                    vec![eff(
                        Object::Constraint {
                            table: table.clone(),
                            name: plain(n, q),
                        },
                        false,
                    )]
                })
                .unwrap_or_default();
        }
        if c.eat("INDEX") || c.eat("KEY") {
            c.skip_if_exists();
            return c
                .ident()
                .map(|(n, q)| {
                    vec![eff(
                        Object::Index {
                            table: Some(table.clone()),
                            name: plain(n, q),
                        },
                        false,
                    )]
                })
                .unwrap_or_default();
        }
        if c.peek()
            .is_some_and(|t| NOT_A_COLUMN.iter().any(|k| t.is(k)))
        {
            return Vec::new();
        }
        c.eat("COLUMN");
        c.skip_if_exists();
        return c
            .ident()
            .map(|(n, q)| vec![eff(col(plain(n, q)), false)])
            .unwrap_or_default();
    }
    if c.eat("RENAME") {
        if c.eat("COLUMN") {
            return rename(&mut c, col);
        }
        if c.eat("INDEX") || c.eat("KEY") {
            return rename(&mut c, |name| Object::Index {
                table: Some(table.clone()),
                name,
            });
        }
        if c.eat("CONSTRAINT") {
            return rename(&mut c, |name| Object::Constraint {
                table: table.clone(),
                name,
            });
        }
        c.eat("TO");
        c.eat("AS");
        return c
            .name()
            .map(|to| {
                vec![
                    eff(Object::Table(table.clone()), false),
                    eff(Object::Table(to), true),
                ]
            })
            .unwrap_or_default();
    }
    if c.eat("CHANGE") {
        // MySQL: CHANGE [COLUMN] old new type; a rename when the names differ.
        c.eat("COLUMN");
        let (Some((old, oq)), Some((new, nq))) = (c.ident(), c.ident()) else {
            return Vec::new();
        };
        if old.eq_ignore_ascii_case(&new) {
            return Vec::new();
        }
        return vec![
            eff(col(plain(old, oq)), false),
            eff(col(plain(new, nq)), true),
        ];
    }
    Vec::new()
}

/// `ADD CONSTRAINT name ...` / `ADD FOREIGN KEY name (...)`: the named constraint exists
/// afterwards; an unnamed one cannot be looked up.
fn added_constraint(c: &mut Cursor, table: &Name) -> Vec<Effect> {
    c.name()
        .map(|name| {
            vec![Effect {
                object: Object::Constraint {
                    table: table.clone(),
                    name,
                },
                exists: true,
            }]
        })
        .unwrap_or_default()
}

fn rename(c: &mut Cursor, object: impl Fn(Name) -> Object) -> Vec<Effect> {
    let Some((from, fq)) = c.ident() else {
        return Vec::new();
    };
    let Some((to, tq)) = c.eat("TO").then(|| c.ident()).flatten() else {
        return Vec::new();
    };
    vec![
        Effect {
            object: object(plain(from, fq)),
            exists: false,
        },
        Effect {
            object: object(plain(to, tq)),
            exists: true,
        },
    ]
}

fn plain(name: String, quoted: bool) -> Name {
    Name {
        schema: None,
        name,
        quoted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(name: &str) -> Name {
        plain(name.into(), false)
    }

    #[test]
    fn reads_the_objects_of_common_ddl() {
        let e = effects("ALTER TABLE users ADD COLUMN first_name VARCHAR(255) NOT NULL DEFAULT ''");
        assert_eq!(
            e,
            vec![Effect {
                object: Object::Column {
                    table: n("users"),
                    column: n("first_name")
                },
                exists: true
            }]
        );
        let e = effects("alter table `records` drop foreign key `fk_status`");
        assert_eq!(
            e[0].object,
            Object::Constraint {
                table: plain("records".into(), true),
                name: plain("fk_status".into(), true)
            }
        );
        assert!(!e[0].exists);
        let e = effects("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS apps_slug ON public.applications (slug)");
        assert_eq!(
            e[0].object,
            Object::Index {
                table: Some(Name {
                    schema: Some("public".into()),
                    name: "applications".into(),
                    quoted: false
                }),
                name: n("apps_slug")
            }
        );
        let e = effects("ALTER TABLE t RENAME COLUMN \"Old\" TO new_name");
        assert_eq!(e.len(), 2);
        assert!(!e[0].exists && e[1].exists);
        let e = effects("RENAME TABLE a TO b, c TO d");
        assert_eq!(e.len(), 4);
        let e = effects("ALTER TABLE r ADD CONSTRAINT fk_r FOREIGN KEY (s) REFERENCES s (id), ADD INDEX r_s (s)");
        assert_eq!(e.len(), 2);
        assert_eq!(
            effects("CREATE TABLE x AS SELECT * FROM y")[0].object,
            Object::Table(n("x"))
        );
        assert_eq!(
            effects("DROP TRIGGER IF EXISTS trg")[0].object,
            Object::Trigger(n("trg"))
        );
        assert!(effects(
            "CREATE DEFINER=`root`@`%` TRIGGER trg BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1"
        )
        .first()
        .is_some_and(|e| e.object == Object::Trigger(n("trg"))));
        assert_eq!(
            effects("CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN END $$")[0].object,
            Object::Routine(n("f"))
        );
        assert_eq!(effects("DROP FUNCTION f(int), g()").len(), 2);
        assert!(effects("ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4").is_empty());
        assert!(effects("UPDATE t SET a = 'ALTER TABLE x DROP y'").is_empty());
        assert!(effects("ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES b (id)").is_empty());
    }
}

use super::*;

#[test]
fn mysql_quoting() {
    assert_eq!(
        ok(
            Rdbms::Mysql,
            r#"INSERT INTO t VALUES ('it\'s; ok', 'a''b;', "dq \"; x", `a;``b`, '\\');SELECT 2"#
        ),
        stmts(&[
            (
                r#"INSERT INTO t VALUES ('it\'s; ok', 'a''b;', "dq \"; x", `a;``b`, '\\')"#,
                1
            ),
            ("SELECT 2", 1),
        ]),
    );
    // The mysql client knows no X'...' prefix: a backslash escapes there too.
    assert_eq!(
        ok(Rdbms::Mysql, "SELECT x'\\' ;', 2;\nSELECT 3"),
        stmts(&[(r"SELECT x'\' ;', 2", 1), ("SELECT 3", 2)]),
    );
    // MySQL has no b"..." literal: that is `b` and a string, with backslash escapes.
    assert_eq!(
        ok(
            Rdbms::Mysql,
            "SELECT b\"\\\" ;\", 2;\nSELECT b'01', B\"a;\"\"b\""
        ),
        stmts(&[
            (r#"SELECT b"\" ;", 2"#, 1),
            ("SELECT b'01', B\"a;\"\"b\"", 2)
        ]),
    );
    assert!(err(Rdbms::Mysql, "SELECT `abc")
        .to_string()
        .contains("quoted identifier (a backtick `"));
    assert!(err(Rdbms::Mysql, "SELECT \"abc")
        .to_string()
        .contains("string literal (a quote \""));
}

#[test]
fn mysql_comments() {
    assert_eq!(
        ok(
            Rdbms::Mysql,
            "# hash; comment\nSELECT 1; -- dash; comment\nSELECT 2 # it's;\n;\nSELECT 3--1;"
        ),
        stmts(&[("SELECT 1", 2), ("SELECT 2", 3), ("SELECT 3--1", 5)]),
    );
}

#[test]
fn mysql_dash_comments_without_a_space() {
    // sqlparser only knows `-- ` with a space; mysqldump writes bare `--` lines.
    let script = "--\n-- Table structure for table `t`\n--\n\nDROP TABLE IF EXISTS `t`;\n--\tit's a tab comment\nSELECT 1;--\r\nSELECT 2;--";
    assert_eq!(
        ok(Rdbms::Mysql, script),
        stmts(&[
            ("DROP TABLE IF EXISTS `t`", 5),
            ("SELECT 1", 7),
            ("SELECT 2", 8)
        ]),
    );
}

#[test]
fn mysql_executable_comments_are_statements() {
    assert_eq!(
        ok(
            Rdbms::Mysql,
            "/*!40101 SET NAMES utf8mb4 */;\n/*M!100100 SET x=1 */;\n/* plain */;\nSELECT /*+ NO_ICP(t) */ 1;"
        ),
        stmts(&[
            ("/*!40101 SET NAMES utf8mb4 */", 1),
            ("/*M!100100 SET x=1 */", 2),
            ("SELECT /*+ NO_ICP(t) */ 1", 4),
        ]),
    );
}

#[test]
fn mysql_delimiter_blocks() {
    let procedure = "CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 'a//b';\nEND";
    let script = format!(
        "DROP PROCEDURE IF EXISTS p;\nDELIMITER //\n{procedure} //\nDELIMITER ;\nCALL p();\n"
    );
    assert_eq!(
        ok(Rdbms::Mysql, &script),
        stmts(&[
            ("DROP PROCEDURE IF EXISTS p", 1),
            (procedure, 3),
            ("CALL p()", 9)
        ]),
    );
}

#[test]
fn mysql_delimiter_inside_words_and_lowercase_command() {
    let script = "  delimiter $$\nCREATE FUNCTION f() RETURNS INT DETERMINISTIC BEGIN RETURN 1; END$$\nSELECT f()$$ SELECT 2$$\n\tDELIMITER ;\nSELECT 3;";
    assert_eq!(
        ok(Rdbms::Mysql, script),
        stmts(&[
            (
                "CREATE FUNCTION f() RETURNS INT DETERMINISTIC BEGIN RETURN 1; END",
                2
            ),
            ("SELECT f()", 3),
            ("SELECT 2", 3),
            ("SELECT 3", 5),
        ]),
    );
}

#[test]
fn mysql_custom_delimiter_is_not_found_in_strings_or_comments() {
    let script = "DELIMITER //\nSELECT '//' /* // */, `a//b` # //\n//\nSELECT \"x//\"\n-- //\n//";
    assert_eq!(
        ok(Rdbms::Mysql, script),
        stmts(&[("SELECT '//' /* // */, `a//b`", 2), ("SELECT \"x//\"", 4)]),
    );
}

#[test]
fn mysqldump_trigger() {
    let trigger = "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER `trg` BEFORE INSERT ON `t` FOR EACH ROW BEGIN\n  SET NEW.a = 1;\nEND */";
    let script = format!(
        "/*!50003 SET @saved_cs_client = @@character_set_client */ ;\nDELIMITER ;;\n{trigger};;\nDELIMITER ;\n/*!50003 SET character_set_client = @saved_cs_client */ ;\n"
    );
    assert_eq!(
        ok(Rdbms::Mysql, &script),
        stmts(&[
            (
                "/*!50003 SET @saved_cs_client = @@character_set_client */",
                1
            ),
            (trigger, 3),
            ("/*!50003 SET character_set_client = @saved_cs_client */", 7),
        ]),
    );
}

#[test]
fn mysql_delimiter_lines_only_count_outside_strings() {
    assert_eq!(
        ok(Rdbms::Mysql, "SELECT 'x\nDELIMITER //\n';\nSELECT 2;"),
        stmts(&[("SELECT 'x\nDELIMITER //\n'", 1), ("SELECT 2", 4)]),
    );
    // Without whitespace after it the word is SQL, as for the mysql client.
    assert_eq!(
        ok(Rdbms::Mysql, "SELECT id,\n  delimiter\nFROM t;"),
        stmts(&[("SELECT id,\n  delimiter\nFROM t", 1)]),
    );
}

#[test]
fn mysql_delimiter_line_ends_a_pending_statement() {
    assert_eq!(
        ok(Rdbms::Mysql, "SELECT 1\nDELIMITER //\nSELECT 2//"),
        stmts(&[("SELECT 1", 1), ("SELECT 2", 3)]),
    );
}

#[test]
fn mysql_bad_delimiter_commands() {
    assert_eq!(
        err(Rdbms::Mysql, "DELIMITER \nSELECT 1;"),
        SplitError::DelimiterMissing { line: 1 }
    );
    assert_eq!(
        err(Rdbms::Mysql, "SELECT 1;\nDELIMITER \\\\\n").to_string(),
        "line 2: the delimiter '\\\\' contains a backslash, which the mysql client does not accept either; choose another delimiter"
    );
    // Quoted, the way the mysql client allows it.
    assert_eq!(
        ok(Rdbms::Mysql, "DELIMITER '$$'\nSELECT 1$$"),
        stmts(&[("SELECT 1", 2)]),
    );
}

#[test]
fn mysql_routines_without_delimiter() {
    let procedure = "CREATE DEFINER=`root`@`localhost` PROCEDURE p(IN x INT)
BEGIN
  DECLARE done INT DEFAULT 0;
  IF x > 0 THEN
    SET done = 1;
  ELSEIF x < 0 THEN
    SET done = 2;
  END IF;
  CASE x WHEN 1 THEN SELECT 'one'; ELSE BEGIN END; END CASE;
  lbl: LOOP
    LEAVE lbl;
  END LOOP lbl;
  WHILE done > 0 DO SET done = done - 1; END WHILE;
  REPEAT SET done = done + 1; UNTIL done > 3 END REPEAT;
  inner_block: BEGIN SELECT CASE WHEN done THEN 1 ELSE 0 END; END inner_block;
END";
    let simple = "CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1";
    let trigger = "CREATE TRIGGER trg2 BEFORE UPDATE ON t FOR EACH ROW BEGIN SET NEW.b = 2; SET NEW.c = CASE WHEN NEW.a THEN 1 ELSE 0 END; END";
    let event = "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM t; END";
    let function = "CREATE FUNCTION f() RETURNS INT DETERMINISTIC RETURN CASE WHEN 1 THEN 2 END";
    let script = format!("{procedure};\n{simple};\n{trigger};\n{event};\n{function};\nSELECT 1;");
    assert_eq!(
        ok(Rdbms::Mysql, &script),
        stmts(&[
            (procedure, 1),
            (simple, 17),
            (trigger, 18),
            (event, 19),
            (function, 20),
            ("SELECT 1", 21),
        ]),
    );
    // Outside such statements BEGIN and END mean nothing special.
    assert_eq!(
        ok(
            Rdbms::Mysql,
            "CREATE TABLE t (`begin` INT, b INT);\nBEGIN;\nSELECT 1;"
        ),
        stmts(&[
            ("CREATE TABLE t (`begin` INT, b INT)", 1),
            ("BEGIN", 2),
            ("SELECT 1", 3)
        ]),
    );
}

//! `benchling import` and `benchling demo` against the simulator.

mod common;

use std::io::Write;

use benchling_sim::Simulator;
use common::{code, data, fasta_count, fasta_lengths, json, run, stderr, stdout, Sim};
use serde_json::Value;

fn fast_simulator() -> Sim {
    Sim::start(Simulator::builder().time_scale(100.0))
}

#[test]
fn genbank_plasmid_is_created_with_annotations() {
    let sim = fast_simulator();
    let output = run(sim.command().args([
        "import",
        data("NC_005816.gb").to_str().unwrap(),
        "--entity",
        "dna-sequences",
        "--folder-id",
        "lib_test",
        "--output",
        "json",
    ]));
    assert_eq!(code(&output), 0, "stderr: {}", stderr(&output));

    let report = json(&output);
    assert_eq!(report["summary"]["created"], 1);
    assert_eq!(report["summary"]["records"], 1);
    let created = &report["created"][0];
    assert_eq!(created["name"], "NC_005816");
    assert!(
        created["id"].as_str().unwrap().starts_with("seq_"),
        "{created}"
    );
    assert_eq!(created["length"], 9609);
    assert_eq!(created["isCircular"], true);
    assert_eq!(created["line"], 1);
    // 41 features: the source feature and 3 insertion sites (5933^5934 and the like) are left out.
    assert_eq!(created["annotations"], 37);
    assert_eq!(report["warnings"].as_array().unwrap().len(), 2);

    let stats = sim.simulator.stats();
    assert_eq!(stats.tasks.len(), 1);
    assert_eq!(stats.tasks[0].operation_id, "bulkCreateDNASequences");
    assert_eq!(stats.tasks[0].items, 1);

    // The task's response, read back through `tasks get`, contains the same entity.
    let task_id = created["taskId"].as_str().unwrap();
    let task = json(&run(sim
        .command()
        .args(["tasks", "get", task_id, "--output", "json"])));
    let sequence = &task["response"]["dnaSequences"][0];
    assert_eq!(sequence["id"], created["id"]);
    assert_eq!(sequence["folderId"], "lib_test");
    assert_eq!(
        sequence["aliases"][0],
        "Yersinia pestis biovar Microtus str. 91001 plasmid pPCP1, complete sequence."
    );
    let annotations = sequence["annotations"].as_array().unwrap();
    assert_eq!(annotations.len(), 37);
    // GenBank `gene 87..1109 /locus_tag="YP_pPCP01"`: 1-based inclusive becomes 0-based exclusive.
    let gene = &annotations[1];
    assert_eq!(gene["type"], "gene");
    assert_eq!(gene["name"], "YP_pPCP01");
    assert_eq!(gene["start"], 86);
    assert_eq!(gene["end"], 1109);
    assert_eq!(gene["strand"], 1);
    let reverse = annotations
        .iter()
        .filter(|annotation| annotation["strand"] == -1)
        .count();
    assert!(reverse > 0, "no complement feature in {annotations:?}");
}

#[test]
fn protein_fasta_is_split_into_batches() {
    let sim = fast_simulator();
    let path = data("NC_000932.faa");
    let output = run(sim.command().args([
        "import",
        path.to_str().unwrap(),
        "--entity",
        "aa-sequences",
        "--folder-id",
        "lib_test",
        "--batch-size",
        "40",
        "--output",
        "json",
    ]));
    assert_eq!(code(&output), 0, "stderr: {}", stderr(&output));

    let report = json(&output);
    assert_eq!(report["summary"]["created"], 85);
    assert_eq!(report["notCreated"].as_array().unwrap().len(), 0);
    assert_eq!(report["tasks"].as_array().unwrap().len(), 3);

    let text = std::fs::read_to_string(&path).unwrap();
    let lengths = fasta_lengths(&text);
    let created = report["created"].as_array().unwrap();
    assert_eq!(created.len(), lengths.len());
    for (entity, length) in created.iter().zip(&lengths) {
        assert_eq!(entity["length"].as_u64(), Some(*length as u64), "{entity}");
        assert!(
            entity["id"].as_str().unwrap().starts_with("prtn_"),
            "{entity}"
        );
    }
    assert_eq!(created[0]["name"], "gi|7525080|ref|NP_051037.1|");

    let mut items: Vec<usize> = sim
        .simulator
        .stats()
        .tasks
        .iter()
        .map(|task| task.items)
        .collect();
    items.sort_unstable();
    assert_eq!(items, vec![5, 40, 40]);
}

#[test]
fn rna_and_oligo_entities_are_created() {
    let sim = fast_simulator();
    let folder = tempfile::tempdir().unwrap();
    let cases = [
        (
            "rna.fa",
            ">r1 guide\nACGUACGUNN\n>r2\nuuaacc\n",
            "rna-sequences",
            "bulkCreateRNASequences",
        ),
        (
            "oligos.fa",
            ">o1 forward primer\nACGTACGTAC\n>o2\nGGGCCC\n",
            "dna-oligos",
            "bulkCreateDNAOligos",
        ),
    ];
    for (file, text, entity, operation) in cases {
        let path = folder.path().join(file);
        std::fs::write(&path, text).unwrap();
        let output = run(sim.command().args([
            "import",
            path.to_str().unwrap(),
            "--entity",
            entity,
            "--folder-id",
            "lib_test",
            "--output",
            "json",
        ]));
        assert_eq!(code(&output), 0, "{entity}: {}", stderr(&output));

        let report = json(&output);
        assert_eq!(report["summary"]["created"], 2, "{entity}");
        assert_eq!(report["created"][0]["length"], 10, "{entity}");
        assert_eq!(report["created"][1]["length"], 6, "{entity}");
        let task = sim.simulator.stats().tasks.last().unwrap().clone();
        assert_eq!(task.operation_id, operation);
    }
}

#[test]
fn gzip_input_is_read() {
    let sim = fast_simulator();
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("proteins.faa.gz");
    let plain = std::fs::read(data("NC_005816.faa")).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&plain).unwrap();
    std::fs::write(&path, encoder.finish().unwrap()).unwrap();

    let output = run(sim.command().args([
        "import",
        path.to_str().unwrap(),
        "--entity",
        "aa-sequences",
        "--folder-id",
        "lib_test",
        "--output",
        "json",
    ]));
    assert_eq!(code(&output), 0, "stderr: {}", stderr(&output));
    assert_eq!(json(&output)["summary"]["created"], 10);
}

const MIXED: &str = "\
>good1 first good record
ACGTACGTAC
GGCC
>bad_letters
ACGTAC
ACGJAC
>empty
>good2
ACGTNNRY
>good1 same name again
ACGT
>good3
acgtacgt
";

#[test]
fn bad_records_are_reported_and_written_back() {
    let sim = fast_simulator();
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("mixed.fa");
    std::fs::write(&path, MIXED).unwrap();

    let output = run(sim.command().args([
        "import",
        path.to_str().unwrap(),
        "--entity",
        "dna-sequences",
        "--folder-id",
        "lib_test",
        "--output",
        "json",
    ]));
    assert_eq!(code(&output), 1, "stderr: {}", stderr(&output));

    let report = json(&output);
    assert_eq!(report["summary"]["records"], 6);
    assert_eq!(report["summary"]["created"], 3);
    assert_eq!(report["summary"]["rejected"], 3);

    let created: Vec<&str> = report["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entity| entity["name"].as_str().unwrap())
        .collect();
    assert_eq!(created, vec!["good1", "good2", "good3"]);

    let rejected = report["notCreated"].as_array().unwrap();
    let find = |name: &str, line: u64| -> &Value {
        rejected
            .iter()
            .find(|record| record["name"] == name && record["line"] == line)
            .unwrap_or_else(|| panic!("{name} at line {line} not reported: {rejected:?}"))
    };
    let letters = find("bad_letters", 4);
    assert_eq!(letters["stage"], "rejected");
    assert_eq!(letters["file"], path.to_str().unwrap());
    let reason = letters["reason"].as_str().unwrap();
    assert!(reason.contains("'J' at position 10 (line 6)"), "{reason}");

    let empty = find("empty", 7);
    assert!(
        empty["reason"].as_str().unwrap().contains("no sequence"),
        "{empty}"
    );

    let duplicate = find("good1", 10);
    let reason = duplicate["reason"].as_str().unwrap();
    assert!(reason.contains("duplicate name"), "{reason}");
    assert!(reason.contains(":1 "), "{reason}");

    // The records not created are written back exactly, beside the input.
    let failed_path = folder.path().join("mixed.fa.failed.fasta");
    let files = report["failedRecordFiles"].as_array().unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["path"], failed_path.to_str().unwrap());
    let failed = std::fs::read_to_string(&failed_path).unwrap();
    assert_eq!(
        failed,
        ">bad_letters\nACGTAC\nACGJAC\n>empty\n>good1 same name again\nACGT\n"
    );

    // Only the valid records reached the tenant.
    let stats = sim.simulator.stats();
    assert_eq!(stats.tasks.len(), 1);
    assert_eq!(stats.tasks[0].items, 3);
}

#[test]
fn table_output_names_failed_file() {
    let sim = fast_simulator();
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("mixed.fa");
    std::fs::write(&path, MIXED).unwrap();

    let output = run(sim.command().args([
        "import",
        path.to_str().unwrap(),
        "--entity",
        "dna-sequences",
        "--folder-id",
        "lib_test",
    ]));
    assert_eq!(code(&output), 1, "stderr: {}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("Created 3 dna-sequences"), "{text}");
    assert!(text.contains("Not created (3)"), "{text}");
    assert!(text.contains(&format!("{}:4", path.display())), "{text}");
    assert!(text.contains("mixed.fa.failed.fasta"), "{text}");
    assert!(
        text.contains("6 record(s) read from 1 file(s): 3 created, 3 rejected"),
        "{text}"
    );
}

#[test]
fn failed_task_maps_errors_to_records() {
    let sim = Sim::start(Simulator::builder().time_scale(100.0).fail_operation(
        "bulkCreateDNASequences",
        "Simulated outage of the registry.",
    ));
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("genes.fa");
    let text = ">g1\nACGT\n>g2\nACGG\n>g3\nACCC\n>g4\nAGGG\n>g5\nTTTT\n";
    std::fs::write(&path, text).unwrap();

    let output = run(sim.command().args([
        "import",
        path.to_str().unwrap(),
        "--entity",
        "dna-sequences",
        "--folder-id",
        "lib_test",
        "--batch-size",
        "2",
        "--output",
        "json",
    ]));
    assert_eq!(code(&output), 1, "stderr: {}", stderr(&output));

    let report = json(&output);
    assert_eq!(report["summary"]["created"], 0);
    assert_eq!(report["summary"]["failed"], 5);
    let tasks = report["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 3);
    assert!(
        tasks.iter().all(|task| task["state"] == "FAILED"),
        "{tasks:?}"
    );

    let failed = report["notCreated"].as_array().unwrap();
    let by_name = |name: &str| failed.iter().find(|record| record["name"] == name).unwrap();
    // The simulator reports its forced failure on item 0 of each request.
    for name in ["g1", "g3", "g5"] {
        let record = by_name(name);
        assert_eq!(record["stage"], "failed");
        assert_eq!(record["index"], 0, "{record}");
        let reason = record["reason"].as_str().unwrap();
        assert!(
            reason.contains("Simulated outage of the registry."),
            "{reason}"
        );
    }
    for name in ["g2", "g4"] {
        let record = by_name(name);
        assert_eq!(record["index"], Value::Null, "{record}");
        let reason = record["reason"].as_str().unwrap();
        assert!(reason.contains("no error of its own"), "{reason}");
        assert!(record["taskId"].is_string(), "{record}");
    }

    let written = std::fs::read_to_string(folder.path().join("genes.fa.failed.fasta")).unwrap();
    assert_eq!(written, text);
}

#[test]
fn task_errors_in_every_shape_are_mapped() {
    use benchling_sim::TaskErrorsShape;

    // (shape, whether record 0 gets its own error)
    let cases = [
        (TaskErrorsShape::List, true),
        (TaskErrorsShape::Object, true),
        (TaskErrorsShape::Absent, false),
    ];
    for (shape, own_error) in cases {
        let sim = Sim::start(
            Simulator::builder()
                .time_scale(100.0)
                .task_errors_shape(shape)
                .fail_operation("bulkCreateDNASequences", "Simulated failure."),
        );
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("two.fa");
        std::fs::write(&path, ">a\nACGT\n>b\nGGCC\n").unwrap();

        let output = run(sim.command().args([
            "import",
            path.to_str().unwrap(),
            "--entity",
            "dna-sequences",
            "--folder-id",
            "lib_test",
            "--output",
            "json",
        ]));
        assert_eq!(code(&output), 1, "{shape:?}: {}", stderr(&output));

        let report = json(&output);
        assert_eq!(report["summary"]["failed"], 2, "{shape:?}");
        let first = &report["notCreated"][0];
        let reason = first["reason"].as_str().unwrap();
        if own_error {
            assert_eq!(first["index"], 0, "{shape:?}");
            assert!(
                reason.starts_with("Benchling rejected it: Simulated failure."),
                "{shape:?}: {reason}"
            );
        } else {
            assert_eq!(first["index"], Value::Null, "{shape:?}");
            assert!(
                reason.contains("(Simulated failure.)"),
                "{shape:?}: {reason}"
            );
        }
        let second = report["notCreated"][1]["reason"].as_str().unwrap();
        assert!(
            second.contains("no error of its own"),
            "{shape:?}: {second}"
        );
    }
}

#[test]
fn request_faults_map_to_outcomes() {
    use benchling_sim::{Fault, FaultRule, FaultScope};

    // (fault on the first API request, exit code, summary field holding the record)
    let cases = [
        (Fault::ServiceUnavailable, 0, "created"),
        (Fault::InternalServerError, 1, "failed"),
        (Fault::DropConnection, 6, "unconfirmed"),
    ];
    for (fault, expected_code, bucket) in cases {
        let sim = Sim::start(
            Simulator::builder()
                .time_scale(100.0)
                .fault(FaultRule::on_requests(
                    fault.clone(),
                    [1],
                    FaultScope::AllRoutes,
                )),
        );
        let folder = tempfile::tempdir().unwrap();
        let output = run(sim.command().args([
            "import",
            data("NC_005816.fna").to_str().unwrap(),
            "--entity",
            "dna-sequences",
            "--folder-id",
            "lib_test",
            "--failed-dir",
            folder.path().to_str().unwrap(),
            "--output",
            "json",
        ]));
        assert_eq!(
            code(&output),
            expected_code,
            "{fault:?}: {}",
            stderr(&output)
        );
        let report = json(&output);
        assert_eq!(report["summary"][bucket], 1, "{fault:?}: {report}");

        // Only a record known not to be created is offered for a rerun.
        let written = folder.path().join("NC_005816.fna.failed.fasta").exists();
        assert_eq!(written, bucket == "failed", "{fault:?}");
    }
}

#[test]
fn no_wait_prints_task_ids() {
    let sim = Sim::start(
        Simulator::builder().latency(benchling_sim::LatencyModel::fixed(
            std::time::Duration::from_secs(3600),
        )),
    );
    let output = run(sim.command().args([
        "import",
        data("NC_005816.faa").to_str().unwrap(),
        "--entity",
        "aa-sequences",
        "--folder-id",
        "lib_test",
        "--batch-size",
        "4",
        "--no-wait",
        "--output",
        "json",
    ]));
    assert_eq!(code(&output), 0, "stderr: {}", stderr(&output));

    let report = json(&output);
    assert_eq!(report["summary"]["unconfirmed"], 10);
    let tasks = report["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 3);
    for task in tasks {
        assert_eq!(task["state"], "RUNNING");
        let id = task["taskId"].as_str().unwrap();
        assert!(
            sim.simulator.stats().task(id).is_some(),
            "{id} unknown to the simulator"
        );
    }
    // Unconfirmed records may still be created, so no failed-records file is written.
    assert_eq!(report["failedRecordFiles"].as_array().unwrap().len(), 0);
}

#[test]
fn wait_timeout_leaves_records_unconfirmed() {
    let sim = Sim::start(
        Simulator::builder().latency(benchling_sim::LatencyModel::fixed(
            std::time::Duration::from_secs(3600),
        )),
    );
    let output = run(sim.command().args([
        "import",
        data("NC_005816.fna").to_str().unwrap(),
        "--entity",
        "dna-sequences",
        "--folder-id",
        "lib_test",
        "--timeout",
        "600ms",
        "--output",
        "json",
    ]));
    assert_eq!(code(&output), 3, "stderr: {}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["summary"]["unconfirmed"], 1);
    let record = &report["unconfirmed"][0];
    let reason = record["reason"].as_str().unwrap();
    assert!(reason.contains("still running after"), "{reason}");
    assert_eq!(record["taskId"], report["tasks"][0]["taskId"]);
    // Records that may still be created are not offered for a rerun.
    assert_eq!(report["failedRecordFiles"].as_array().unwrap().len(), 0);
}

#[test]
fn table_output_names_wait_command() {
    let sim = Sim::start(
        Simulator::builder().latency(benchling_sim::LatencyModel::fixed(
            std::time::Duration::from_secs(3600),
        )),
    );
    let output = run(sim.command().args([
        "import",
        data("NC_005816.fna").to_str().unwrap(),
        "--entity",
        "dna-sequences",
        "--folder-id",
        "lib_test",
        "--no-wait",
    ]));
    assert_eq!(code(&output), 0, "stderr: {}", stderr(&output));
    let text = stdout(&output);
    let task_id = &sim.simulator.stats().tasks[0].id;
    assert!(
        text.contains(&format!(
            "Wait for the unconfirmed records with: benchling tasks wait {task_id}"
        )),
        "{text}"
    );
}

#[test]
fn batch_size_over_limit_is_rejected() {
    let sim = fast_simulator();
    let output = run(sim.command().args([
        "import",
        data("NC_005816.faa").to_str().unwrap(),
        "--entity",
        "aa-sequences",
        "--folder-id",
        "lib_test",
        "--batch-size",
        "1001",
    ]));
    assert_eq!(code(&output), 2);
    let text = stderr(&output);
    assert!(text.contains("1001 is over the limit of 1000"), "{text}");
    assert_eq!(sim.simulator.stats().total_requests, 0);
}

#[test]
fn circular_record_rejected_for_oligos() {
    let sim = fast_simulator();
    let folder = tempfile::tempdir().unwrap();
    let output = run(sim.command().args([
        "import",
        data("NC_005816.gb").to_str().unwrap(),
        "--entity",
        "dna-oligos",
        "--folder-id",
        "lib_test",
        "--failed-dir",
        folder.path().to_str().unwrap(),
        "--output",
        "json",
    ]));
    assert_eq!(code(&output), 1, "stderr: {}", stderr(&output));
    let report = json(&output);
    let reason = report["notCreated"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("linear only"), "{reason}");
    assert_eq!(sim.simulator.stats().total_requests, 0);
    // The GenBank record is written back as GenBank, unchanged.
    let written = std::fs::read(folder.path().join("NC_005816.gb.failed.gb")).unwrap();
    assert_eq!(written, std::fs::read(data("NC_005816.gb")).unwrap());
}

#[test]
fn demo_imports_bundled_records() {
    let output =
        run(common::bare_command().args(["demo", "--time-scale", "50", "--output", "json"]));
    assert_eq!(code(&output), 0, "stderr: {}", stderr(&output));

    let report = json(&output);
    let imports = report["imports"].as_array().unwrap();
    assert_eq!(imports.len(), 2);
    assert_eq!(imports[0]["entity"], "dna-sequences");
    assert_eq!(imports[0]["created"][0]["length"], 9609);
    assert_eq!(imports[0]["created"][0]["annotations"], 37);
    assert_eq!(imports[1]["entity"], "aa-sequences");

    let expected = fasta_count(&std::fs::read_to_string(data("NC_000932.faa")).unwrap());
    assert_eq!(imports[1]["summary"]["created"], expected as u64);
    assert_eq!(report["simulator"]["tasks"], 5);
}

using System.CommandLine;
using Vigil.Cli.Cases;
using Vigil.Cli.Models;

namespace Vigil.Cli.Commands;

/// <summary><c>vigil train</c>, <c>vigil evaluate</c> and <c>vigil serve</c>: models learned from dataset files, and served.</summary>
public static class ModelCommands
{
    public static Command Train(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new Command("train", """
            Train a fraud model on a dataset file and write it as JSON (MODEL.json), ready for vigil serve and the pipeline.

            Features are computed by the pipeline's own engine (--feature-set, --feature), with labels known only
            --label-delay after their transaction, so the model sees in training what it will see online. The ULB
            credit-card file trains on V1..V28 and Amount. Algorithms: lr (logistic regression: standardized inputs, L2,
            L-BFGS), gbt (gradient-boosted trees: binned inputs, log loss, early stopping on the latest 15 % of rows), and
            iforest (isolation forest: unsupervised). The same data, settings and --seed give the same model.
            """);
        var flags = new CommandFlags(command, [SettingFlag.ModelKind, SettingFlag.ModelOut, .. SettingFlag.DatasetFeatures, SettingFlag.TrainFrom, SettingFlag.TrainTo, .. SettingFlag.Training]);
        flags.SetAction(command, context, (settings, configuration) => new TrainRunner(settings, configuration, context.Console, context.Live).RunAsync(context.Stop));
        return command;
    }

    public static Command Evaluate(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new Command("evaluate", """
            Measure a model: ROC AUC, average precision, Card Precision@100, and precision, recall and F1 at its threshold.

            --model MODEL.json scores the file (or each split's test rows) with a trained model. --model lr|gbt|iforest
            with --protocol trains one on each split's training rows: handbook is the Fraud Detection Handbook's protocol
            (train 7 days from 2018-07-25, skip 7, test 7, with known compromised cards removed from the test days; then
            4 prequential folds a week apart, and their mean); random70 is seed 002's random 70/30 split.
            --report FILE.json|FILE.html|FILE.md writes the results; HTML and Markdown carry ROC and precision-recall curves.
            """);
        var flags = new CommandFlags(command, [SettingFlag.ModelFile, .. SettingFlag.Onnx, SettingFlag.Protocol, SettingFlag.TrainStart, SettingFlag.Investigators, SettingFlag.EvaluationReport, .. SettingFlag.DatasetFeatures, .. SettingFlag.Training]);
        flags.SetAction(command, context, (settings, configuration) => new EvaluateRunner(settings, configuration, context.Console, context.Live).RunAsync(context.Stop));
        return command;
    }

    public static Command Export(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new Command("export", """
            Write a Vigil model as ONNX, to run it where other models run.

            --format onnx writes a logistic regression (with its standardization) or gradient-boosted trees (with
            their linear base) as an ONNX graph of ai.onnx and ai.onnx.ml operators, for ONNX Runtime, Azure ML, Triton
            or vigil itself (--model MODEL.onnx). One input X, double [N, F], the model's inputs in order (listed in the
            metadata vigil.inputs, NaN for a missing value); outputs label (int64 [N]) and probabilities (double
            [N, 2]), as a classifier's. The file is loaded back with ONNX Runtime and its scores checked against
            Vigil's before the command ends.
            """);
        var flags = new CommandFlags(command, [SettingFlag.ExportModel, SettingFlag.ExportFormat, SettingFlag.ExportOut]);
        flags.SetAction(command, context, (_, configuration) => new ExportRunner(configuration, context.Console).RunAsync(context.Stop));
        return command;
    }

    public static Command List(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new Command("models", """
            List the models the pipeline trained and kept (vigil demo or replay without --model), run by run.

            Read from Vigil's database: vigil.db in --data-dir, or the PostgreSQL database of --database. Each model with
            when it was trained (event time), on how many transactions, its threshold, whether it decides, decided, or was
            not promoted, and its verdict against the model it was judged with. Its file is usable with --model.
            """);
        var flags = new CommandFlags(command, [SettingFlag.DataDirectory, SettingFlag.Database]);
        flags.SetAction(command, context, (settings, _) => Task.FromResult(new ModelListRunner(settings, context.Console).Run()));
        return command;
    }

    public static Command Cases(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new Command("cases", """
            List the cases the pipeline filed from its alerts (vigil demo or replay), one run at a time.

            Read from Vigil's database: vigil.db in --data-dir, or the PostgreSQL database of --database. Each case is a
            card's alerts while it is open: how many, their money, the highest score (the queue's rank), the last alert,
            who it is assigned to, and the verdict with who gave it. --audit prints the run's audit trail instead: every
            case opened, assigned and decided, with who, when, before and after. Review cases on the dashboard's queue.
            """);
        var flags = new CommandFlags(command, [SettingFlag.CaseRun, SettingFlag.CaseStatus, SettingFlag.CaseAudit, SettingFlag.DataDirectory, SettingFlag.Database]);
        flags.SetAction(command, context, (settings, configuration) => Task.FromResult(new CaseListRunner(settings, configuration, context.Console).Run()));
        return command;
    }

    public static Command Serve(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new Command("serve", """
            Serve a trained model over HTTP until Ctrl+C.

            POST /invocations answers as MLflow's scoring server: the seed's {"columns":[...],"data":[[...]]} gets [0] or
            [1] per row; dataframe_split, dataframe_records, instances and inputs get {"predictions":[...]}. Columns are
            the model's inputs (GET /v1/model lists them), matched by name, ignoring case when nothing matches exactly.
            POST /v1/score takes one transaction JSON and answers fraud, score, threshold, the model version and, for fraud,
            the reasons (top contributing inputs); its features come from the record's "features" object, or else from
            the server's live feature state, which every scored transaction updates (?features=true echoes them). Bad bodies get 400 and bodies over
            1 MiB 413, with {"error":"..."}. Replacing the model file swaps the model without a restart.
            With --rules RULES.yaml, /v1/score decides as the pipeline does: the rules (over the model's features), then
            the model; the answer adds rules_version, review and allowed, and editing the file swaps the rules live.
            """);
        var flags = new CommandFlags(command, [SettingFlag.ServeModel, .. SettingFlag.Onnx, SettingFlag.ServePort, SettingFlag.ServeHost, SettingFlag.ServeAllowedHosts, SettingFlag.ServeRules, SettingFlag.SuppliedFeatures, SettingFlag.MaxClockSkew, SettingFlag.MaxEntities, SettingFlag.MaxEventsPerEntity, .. SettingFlag.Logging], web: true);
        flags.SetAction(command, context, (settings, configuration) => new ServeRunner(configuration, context.Console, context.Logs(settings.Logs)).RunAsync(context.Stop));
        return command;
    }
}

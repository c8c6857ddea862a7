using System.CommandLine;
using Vigil.Cli.Models;

namespace Vigil.Cli.Commands;

/// <summary><c>vigil train</c> and <c>vigil evaluate</c>: models learned from dataset files.</summary>
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
        var flags = new CommandFlags(command, [SettingFlag.ModelFile, SettingFlag.Protocol, SettingFlag.TrainStart, SettingFlag.EvaluationReport, .. SettingFlag.DatasetFeatures, .. SettingFlag.Training]);
        flags.SetAction(command, context, (settings, configuration) => new EvaluateRunner(settings, configuration, context.Console, context.Live).RunAsync(context.Stop));
        return command;
    }
}

using Vigil.Features;
using Vigil.Transactions;

namespace Vigil.Runtime.Features;

/// <summary>Reads the features a transaction would get from live state kept elsewhere, without changing it.</summary>
public delegate void FeaturePeek(Transaction transaction, long timeMs, Span<double> values);

/// <summary>A running pipeline's feature state, as scoring requests beside it read it: its feature set and its peek.</summary>
public sealed record PipelineFeatures(FeatureSet Set, FeaturePeek Peek);

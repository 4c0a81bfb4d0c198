namespace QnnSim.Interop.OpenQasmSyntax;

// The syntax tree the parser builds and the evaluator walks. Every node keeps the token where it starts, so that
// evaluation errors can name a line and column.

internal abstract record Expr(Token At);
internal sealed record NumberExpr(Token At, double Value) : Expr(At);
internal sealed record NameExpr(Token At, string Name) : Expr(At);
internal sealed record IndexExpr(Token At, string Name, Expr Index) : Expr(At);
internal sealed record UnaryExpr(Token At, string Op, Expr Operand) : Expr(At);
/// <summary>A binary operation; <c>At</c> is where the left operand starts, <c>OpToken</c> the operator.</summary>
internal sealed record BinaryExpr(Token At, Token OpToken, string Op, Expr Left, Expr Right) : Expr(At);
internal sealed record CallExpr(Token At, string Function, IReadOnlyList<Expr> Arguments) : Expr(At);

/// <summary>A qubit or bit operand: a whole register (<c>q</c>) or one element (<c>q[2]</c>).</summary>
internal sealed record Operand(Token At, string Name, Expr? Index);

internal abstract record Stmt(Token At);
internal sealed record VersionStmt(Token At, string Version) : Stmt(At);
internal sealed record IncludeStmt(Token At, string Path) : Stmt(At);
internal sealed record QubitDeclStmt(Token At, string Name, Expr? Size) : Stmt(At);
internal sealed record BitDeclStmt(Token At, string Name, Expr? Size) : Stmt(At);
internal sealed record InputStmt(Token At, string Name, Expr? ArraySize) : Stmt(At);
internal sealed record ConstStmt(Token At, string Name, Expr? Value) : Stmt(At);
internal sealed record GateDefStmt(Token At, string Name, IReadOnlyList<Token> Parameters, IReadOnlyList<Token> Qubits,
    IReadOnlyList<GateCallStmt> Body) : Stmt(At);
internal sealed record Modifier(Token At, string Kind, Expr? Argument);
internal sealed record GateCallStmt(Token At, IReadOnlyList<Modifier> Modifiers, Token Name, IReadOnlyList<Expr> Arguments,
    IReadOnlyList<Operand> Operands) : Stmt(At);
internal sealed record BarrierStmt(Token At, IReadOnlyList<Operand> Operands) : Stmt(At);
internal sealed record MeasureStmt(Token At, Operand Qubits, Operand? Bits) : Stmt(At);
internal sealed record ResetStmt(Token At, Operand Qubits) : Stmt(At);
internal sealed record PragmaStmt(Token At, string Text) : Stmt(At);

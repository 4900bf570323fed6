/**
 * FMI inside AWS Lambda functions: {@link io.fmi.lambda.FmiLambda} builds the communicator of one
 * function of a job from its invocation event and context, and keeps expensive channel clients
 * ({@link io.fmi.lambda.WarmChannelProvider}) for the life of a warm container.
 *
 * <p>Needs {@code com.amazonaws:aws-lambda-java-core} on the class path, as every Java Lambda
 * function has; {@code fmi-core} declares it optional, so programs that do not run in Lambda need
 * not carry it.
 */
package io.fmi.lambda;

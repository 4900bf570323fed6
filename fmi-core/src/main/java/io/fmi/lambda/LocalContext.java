package io.fmi.lambda;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;

/**
 * A Lambda {@link Context} for running a handler outside Lambda: in a local launcher's process, in
 * N threads of a test. Its remaining time counts down from its creation as Lambda's does, so
 * {@link FmiLambda} gives the communicator the same lifetime it would have in Lambda; the logger
 * writes to standard error. Fields that only Lambda knows (identity, client context) are null.
 *
 * <pre>
 * Map&lt;String, Object&gt; report = new MyHandler().handleRequest(event, new LocalContext("my-function", 60_000, 1024));
 * </pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class LocalContext implements Context {
    private final String functionName;
    private final long endMillis;
    private final int memoryMiB;

    /**
     * @param functionName    what {@link #getFunctionName()} answers: FmiLambda's default communicator name
     * @param remainingMillis the function's time from now on
     * @param memoryMiB       the function's memory, for the cost model
     */
    public LocalContext(String functionName, long remainingMillis, int memoryMiB) {
        this.functionName = functionName;
        this.endMillis = System.currentTimeMillis() + remainingMillis;
        this.memoryMiB = memoryMiB;
    }

    @Override
    public String getAwsRequestId() {
        return "local";
    }

    @Override
    public String getLogGroupName() {
        return "local";
    }

    @Override
    public String getLogStreamName() {
        return "local";
    }

    @Override
    public String getFunctionName() {
        return functionName;
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return "arn:aws:lambda:local:000000000000:function:" + functionName;
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getRemainingTimeInMillis() {
        return (int) Math.max(0, endMillis - System.currentTimeMillis());
    }

    @Override
    public int getMemoryLimitInMB() {
        return memoryMiB;
    }

    @Override
    public LambdaLogger getLogger() {
        return new LambdaLogger() {
            @Override
            public void log(String message) {
                System.err.println(message);
            }

            @Override
            public void log(byte[] message) {
                System.err.write(message, 0, message.length);
            }
        };
    }
}

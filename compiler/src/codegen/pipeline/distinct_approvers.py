"""pf: fail a pipeline run when one identity gave two of the listed approvals.

CodePipeline invokes this with UserParameters
{"pipeline": NAME, "executionId": "#{codepipeline.PipelineExecutionId}",
 "approvals": [[STAGE, ACTION], ...]}.
The approver of a manual approval is the `updatedBy` ARN of its action execution
(ListActionExecutions).
"""
import json


def check_distinct(approvals, details):
    """Return (ok, message) for the listed approvals and the run's action executions."""
    who = {(s, a): set() for s, a in approvals}
    for d in details:
        key = (d.get("stageName"), d.get("actionName"))
        if key in who and d.get("status") == "Succeeded" and d.get("updatedBy"):
            who[key].add(d["updatedBy"])
    seen = {}
    for stage, action in approvals:
        ids = who[(stage, action)]
        if not ids:
            return False, "no approver recorded for %s/%s" % (stage, action)
        for i in sorted(ids):
            if i in seen and seen[i] != (stage, action):
                return False, "%s approved both %s/%s and %s/%s" % (
                    i, seen[i][0], seen[i][1], stage, action)
            seen[i] = (stage, action)
    return True, "distinct approvers: " + ", ".join(sorted(seen))


def handler(event, context):
    import boto3

    cp = boto3.client("codepipeline")
    job = event["CodePipeline.job"]
    try:
        conf = job["data"]["actionConfiguration"]["configuration"]
        params = json.loads(conf["UserParameters"])
        args = {
            "pipelineName": params["pipeline"],
            "filter": {"pipelineExecutionId": params["executionId"]},
        }
        details = []
        while True:
            page = cp.list_action_executions(**args)
            details += page.get("actionExecutionDetails", [])
            if not page.get("nextToken"):
                break
            args["nextToken"] = page["nextToken"]
        ok, message = check_distinct(params["approvals"], details)
    except Exception as e:  # any error fails the run: never approve by accident
        ok, message = False, "check failed: %s" % e
    print(message)
    if ok:
        cp.put_job_success_result(jobId=job["id"])
    else:
        cp.put_job_failure_result(
            jobId=job["id"],
            failureDetails={"type": "JobFailed", "message": message[:4000]},
        )

//! The Lambda target's code generation, from source programs: the function URL (IAM and
//! public), the load balancer's `lambda` target group, traffic shifting (all at once,
//! predefined and custom canary/linear configurations), the release parameter, runtime values
//! as dynamic references, the build image following the architecture, and the CloudFormation
//! role's scope. Every template passes cfn-lint with no findings.
//!
//! cfn-lint must be installed (`pip install cfn-lint`): the tests fail, never skip, without it.

use pf_compiler::codegen::{self, CfnFormat, Options, OutputFile};
use pf_compiler::driver::{analyze, Loader, Root};
use serde_json::Value;
use std::process::Command;

struct NoFiles;

impl Loader for NoFiles {
    fn load(&self, path: &str) -> Result<Vec<u8>, String> {
        Err(format!("no file {path}"))
    }
}

/// A program deploying the Lambda app `thumbs` (its `deploy` body given) to `test` and `prod`
/// (their bodies given), prod behind an approval.
fn program(deploy: &str, test: &str, prod: &str) -> String {
    format!(
        "use std.build.python\n\napp thumbs {{\n  source = codecommit {{ repository = \"thumbs\" }}\n  build = python\n  deploy = lambda {{\n    runtime = \"python3.12\"\n    handler = \"app.handler\"\n    {deploy}\n  }}\n  runtime {{ API_KEY = secret(\"thumbs/api:key\"), TABLE = param(\"/thumbs/table\") }}\n}}\n\nenv test {{\n  network {{ cidr = 10.20.0.0/16 }}\n  {test}\n}}\n\nenv prod {{\n  network {{ cidr = 10.30.0.0/16 }}\n  {prod}\n}}\n\npipeline thumbs {{\n  stage build {{ build }}\n  stage test {{ deploy test }}\n  stage approve {{ approve release {{ notify = [\"leads@example.com\"] }} }}\n  stage prod {{ deploy prod }}\n}}\n"
    )
}

/// The generated files of a program that checks without errors.
fn generate(source: &str) -> Vec<OutputFile> {
    let a = analyze(vec![Root { name: "thumbs.pf".into(), bytes: source.as_bytes().to_vec() }], &NoFiles);
    let found: Vec<String> = a.diagnostics.iter().map(|d| format!("{}: {}", d.code.id, d.message)).collect();
    assert!(!a.has_errors(), "{found:?}\n{source}");
    codegen::generate(&a.checked.program, &Options { cfn_format: CfnFormat::Yaml })
}

fn file<'a>(files: &'a [OutputFile], path: &str) -> &'a str {
    &files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("{path} is generated")).contents
}

fn yaml(files: &[OutputFile], path: &str) -> Value {
    serde_yaml::from_str(file(files, path)).expect("valid YAML")
}

/// cfn-lint on the infrastructure and pipeline templates: no findings.
fn assert_cfn_lint_clean(case: &str, files: &[OutputFile]) {
    let dir = std::env::temp_dir().join(format!("pf-codegen-lambda-{case}-{}", std::process::id()));
    let mut templates = Vec::new();
    for f in files.iter().filter(|f| f.path.ends_with(".template.yml")) {
        let path = dir.join(&f.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &f.contents).unwrap();
        templates.push(path);
    }
    assert_eq!(templates.len(), 2, "{case}: the pipeline's and the environments' template");
    let out =
        Command::new("cfn-lint").args(&templates).output().expect("cfn-lint is needed: pip install cfn-lint");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && text.trim().is_empty(), "{case}: cfn-lint findings:\n{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn config(files: &[OutputFile], env: &str) -> Value {
    serde_json::from_str(file(files, &format!("thumbs/config/{env}.json"))).unwrap()
}

#[test]
fn a_public_url_has_both_permissions_and_no_load_balancer() {
    let files = generate(&program("url { auth = none }", "", ""));
    assert_cfn_lint_clean("public-url", &files);
    let t = yaml(&files, "thumbs/infra.template.yml");
    let r = &t["Resources"];
    assert_eq!(r["FunctionUrl"]["Properties"]["AuthType"], "NONE");
    assert_eq!(r["FunctionUrl"]["Properties"]["Qualifier"]["Ref"], "EnvName");
    // Since October 2025 a public URL needs both actions granted to everyone.
    assert_eq!(r["FunctionUrlPublicInvoke"]["Properties"]["Action"], "lambda:InvokeFunctionUrl");
    assert_eq!(r["FunctionUrlPublicInvoke"]["Properties"]["FunctionUrlAuthType"], "NONE");
    assert_eq!(r["FunctionUrlPublicInvokeFunction"]["Properties"]["Action"], "lambda:InvokeFunction");
    assert_eq!(r["FunctionUrlPublicInvokeFunction"]["Properties"]["InvokedViaFunctionUrl"], true);
    for id in ["LoadBalancer", "TargetGroup", "HttpListener", "DnsRecord"] {
        assert!(r.get(id).is_none(), "{id}: a function behind its URL has no load balancer");
    }
    assert!(t["Parameters"].get("Protected").is_none(), "nothing is deletion-protected");
    assert!(t["Outputs"]["Url"]["Value"].to_string().contains("FunctionUrl"));
}

#[test]
fn an_iam_url_grants_nobody() {
    let files = generate(&program("url { auth = iam }", "", ""));
    let t = yaml(&files, "thumbs/infra.template.yml");
    assert_eq!(t["Resources"]["FunctionUrl"]["Properties"]["AuthType"], "AWS_IAM");
    let permissions: Vec<&String> = t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Lambda::Permission")
        .map(|(id, _)| id)
        .collect();
    assert!(permissions.is_empty(), "{permissions:?}");
}

#[test]
fn the_load_balancer_invokes_the_alias() {
    let files = generate(&program("load_balancer = true\n    health_check = \"/health\"", "", ""));
    assert_cfn_lint_clean("load-balancer", &files);
    let t = yaml(&files, "thumbs/infra.template.yml");
    let tg = &t["Resources"]["TargetGroup"];
    assert_eq!(tg["Properties"]["TargetType"], "lambda");
    assert_eq!(tg["Properties"]["HealthCheckPath"], "/health");
    assert!(tg["Properties"].get("Port").is_none(), "a lambda target group has no port");
    assert_eq!(tg["Properties"]["Targets"][0]["Id"]["Ref"], "Alias");
    assert_eq!(tg["DependsOn"], "LoadBalancerInvokePermission");
    let p = &t["Resources"]["LoadBalancerInvokePermission"]["Properties"];
    assert_eq!(p["Principal"], "elasticloadbalancing.amazonaws.com");
    assert_eq!(p["FunctionName"]["Ref"], "Alias");
    assert!(t["Resources"].get("FunctionUrl").is_none());
}

#[test]
fn each_release_publishes_a_version_that_codedeploy_shifts_the_alias_to() {
    let files = generate(&program("url { auth = iam }", "", ""));
    let t = yaml(&files, "thumbs/infra.template.yml");
    let r = &t["Resources"];
    assert_eq!(r["Function"]["Properties"]["Code"]["S3Key"]["Ref"], "CodeKey");
    // The version's description (create-only) names the code object: a new one per release.
    assert_eq!(r["FunctionVersion"]["Properties"]["Description"]["Fn::Sub"], "Release ${CodeKey}");
    let update = &r["Alias"]["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"];
    assert_eq!(update["ApplicationName"]["Ref"], "CodeDeployApplication");
    assert_eq!(update["DeploymentGroupName"]["Ref"], "DeploymentGroup");
    assert_eq!(r["CodeDeployApplication"]["Properties"]["ComputePlatform"], "Lambda");
    assert_eq!(r["DeploymentGroup"]["Properties"]["DeploymentStyle"]["DeploymentType"], "BLUE_GREEN");
    // The pipeline passes the build artifact's object key on every CloudFormation action.
    let pipeline = file(&files, "thumbs/pipeline-thumbs.template.yml");
    let overrides = pipeline.matches(r#""CodeKey": {"Fn::GetArtifactAtt": ["Build", "ObjectKey"]}"#).count();
    assert_eq!(overrides, 2, "infra-test and changes-prod");
    assert!(!pipeline.contains("ArtifactKeyArn\\\""), "a function's stack does not take the key");
    assert!(!pipeline.contains("Provider: CodeDeploy"), "the stack update is the release");
}

#[test]
fn strategies_map_to_codedeploys_lambda_configurations() {
    // Predefined in test, custom linear in prod.
    let files = generate(&program(
        "url { auth = iam }",
        "strategy = blue_green { shift = canary, percent = 10%, wait = 5m }",
        "strategy = blue_green { shift = linear, percent = 20%, wait = 2m }",
    ));
    assert_cfn_lint_clean("strategies", &files);
    assert_eq!(
        config(&files, "test")["Parameters"]["DeploymentConfig"],
        "CodeDeployDefault.LambdaCanary10Percent5Minutes"
    );
    let prod = &config(&files, "prod")["Parameters"];
    assert_eq!(prod["DeploymentConfig"], "custom");
    assert_eq!(prod["TrafficShiftType"], "TimeBasedLinear");
    assert_eq!(prod["TrafficShiftPercent"], "20");
    assert_eq!(prod["TrafficShiftInterval"], "2");
    let t = yaml(&files, "thumbs/infra.template.yml");
    let c = &t["Resources"]["DeploymentConfiguration"];
    assert_eq!(c["Condition"], "CustomDeploymentConfig");
    assert_eq!(c["Properties"]["ComputePlatform"], "Lambda");
    assert_eq!(
        c["Properties"]["TrafficRoutingConfig"]["TimeBasedLinear"]["LinearInterval"]["Ref"],
        "TrafficShiftInterval"
    );

    // Without a strategy the alias moves at once; only custom ones: no DeploymentConfig parameter.
    let files = generate(&program("url { auth = iam }", "", ""));
    assert_eq!(config(&files, "prod")["Parameters"]["DeploymentConfig"], "CodeDeployDefault.LambdaAllAtOnce");
    let files = generate(&program(
        "url { auth = iam }",
        "strategy = blue_green { shift = canary, percent = 25%, wait = 3m }",
        "strategy = blue_green { shift = canary, percent = 5%, wait = 20m }",
    ));
    assert_cfn_lint_clean("custom-only", &files);
    let t = yaml(&files, "thumbs/infra.template.yml");
    assert!(t["Parameters"].get("DeploymentConfig").is_none());
    assert_eq!(
        t["Resources"]["DeploymentGroup"]["Properties"]["DeploymentConfigName"]["Ref"],
        "DeploymentConfiguration"
    );
    assert_eq!(config(&files, "prod")["Parameters"]["TrafficShiftPercent"], "5");
}

#[test]
fn runtime_values_are_dynamic_references_and_the_deploy_role_may_resolve_them() {
    let files = generate(&program("url { auth = iam }", "", ""));
    let t = file(&files, "thumbs/infra.template.yml");
    assert!(t.contains("{{resolve:secretsmanager:${RuntimeAPIKEYValue}}}"), "{t}");
    assert!(t.contains("{{resolve:ssm:${RuntimeTABLEValue}}}"), "{t}");
    let test = config(&files, "test");
    assert_eq!(test["Parameters"]["RuntimeAPIKEYSource"], "secretsmanager");
    assert_eq!(test["Parameters"]["RuntimeAPIKEYValue"], "thumbs/api:SecretString:key");
    let pipeline = file(&files, "thumbs/pipeline-thumbs.template.yml");
    assert!(pipeline.contains("secret:thumbs/api-??????"), "GetSecretValue on the one secret");
    assert!(pipeline.contains("parameter/thumbs/table"), "GetParameters on the one parameter");
}

#[test]
fn the_build_runs_on_the_functions_architecture() {
    let image = |arch: &str| {
        let files = generate(&program(&format!("architecture = {arch}\n    url {{ auth = iam }}"), "", ""));
        let p = yaml(&files, "thumbs/pipeline-thumbs.template.yml");
        let build = p["Resources"]
            .as_object()
            .unwrap()
            .values()
            .find(|r| r["Type"] == "AWS::CodeBuild::Project")
            .unwrap()
            .clone();
        let e = &build["Properties"]["Environment"];
        (e["Image"].as_str().unwrap().to_string(), e["Type"].as_str().unwrap().to_string())
    };
    assert_eq!(
        image("arm64"),
        ("aws/codebuild/amazonlinux2-aarch64-standard:3.0".into(), "ARM_CONTAINER".into())
    );
    assert_eq!(
        image("x86_64"),
        ("aws/codebuild/amazonlinux2-x86_64-standard:5.0".into(), "LINUX_CONTAINER".into())
    );
}

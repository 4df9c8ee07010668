#!/usr/bin/env python3
"""Creates distributions (and a few invalidations each) in a moto server, through boto3,
as an operator's account would hold them. Prints what it made as JSON on stdout.

    seed.py ENDPOINT COUNT INVALIDATIONS_EACH
"""
import json
import sys

import boto3


def main():
    endpoint, count, each = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    cf = boto3.client(
        "cloudfront",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    made = []
    for i in range(count):
        origin = f"site-{i}.s3.amazonaws.com"
        config = {
            "CallerReference": f"seed-{i}",
            "Aliases": {"Quantity": 1, "Items": [f"site-{i}.example.com"]},
            "Comment": f"seeded distribution {i}",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "origin",
                        "DomainName": origin,
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "origin",
                "ViewerProtocolPolicy": "allow-all",
                "MinTTL": 0,
                "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                "TrustedSigners": {"Enabled": False, "Quantity": 0},
            },
        }
        d = cf.create_distribution(DistributionConfig=config)["Distribution"]
        invalidations = []
        for j in range(each):
            paths = [f"/page-{j}.html", f"/assets/{j}/*"]
            inv = cf.create_invalidation(
                DistributionId=d["Id"],
                InvalidationBatch={
                    "Paths": {"Quantity": len(paths), "Items": paths},
                    "CallerReference": f"seed-{i}-{j}",
                },
            )["Invalidation"]
            invalidations.append({"id": inv["Id"], "paths": paths, "caller_reference": f"seed-{i}-{j}"})
        made.append({"id": d["Id"], "domain_name": d["DomainName"], "invalidations": invalidations})
    json.dump(made, sys.stdout)


if __name__ == "__main__":
    main()

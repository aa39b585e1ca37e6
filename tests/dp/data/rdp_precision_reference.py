#!/usr/bin/env python3
# Writes rdp_precision_reference.json (run with Debian's python3-mpmath): python3 rdp_precision_reference.py > rdp_precision_reference.json
# Reference values for tests/dp/data/rdp_precision_reference.json, in 60-digit mpmath.
import json
from mpmath import mp, mpf, binomial, exp, log, quad, inf, sqrt, pi, expm1
mp.dps = 60
def sg_integer(z, q, a):
    z=mpf(z); q=mpf(q)
    return log(sum(binomial(a,k)*(1-q)**(a-k)*q**k*exp(mpf(k*k-k)/(2*z*z)) for k in range(a+1)))/(a-1)
def sg_fractional(z, q, a):
    # A_a = E_{x~N(0,z^2)} [ (1-q + q exp((2x-1)/(2 z^2)))^a ]  (MTZ 2019, Sec. 3.3)
    z=mpf(z); q=mpf(q); a=mpf(a)
    f=lambda x: exp(-x*x/(2*z*z))/(z*sqrt(2*pi))*(1-q+q*exp((2*x-1)/(2*z*z)))**a
    A=quad(f,[-inf,-10*z,0,10*z,inf])
    return log(A)/(a-1)
def laplace(e, a):
    e=mpf(e); a=mpf(a)
    return log(a/(2*a-1)*exp((a-1)*e)+(a-1)/(2*a-1)*exp(-a*e))/(a-1)
def binary_rr(e, a):
    e=mpf(e); a=mpf(a); p=exp(e)/(1+exp(e))
    return log(p**a*(1-p)**(1-a)+(1-p)**a*p**(1-a))/(a-1)
def cks(r, a, delta):
    a=mpf(a); d=mpf(delta)
    return r + log((a-1)/a) - (log(d)+log(a))/(a-1)
out={"source":"60-digit mpmath: Poisson-subsampled Gaussian A_alpha by the binomial sum (integer orders, MTZ 2019 Sec 3.2) or by quadrature of its defining integral (fractional orders, Sec 3.3); Laplace RDP closed form (Mironov 2017, Table II); binary randomized response (the tight RDP of pure epsilon-DP)",
     "subsampled_gaussian":[], "laplace":[], "pure":[], "dpsgd":[]}
for z,q,a in [(1.49e8,0.5,2),(1.49e8,0.5,38),(1.49e8,0.5,1024),(1e7,0.5,63),(1e7,0.01,256),(1e4,0.001,10),(3,0.01,20),(1e8,0.5,1.5),(1e8,0.5,3.7),(1e6,0.1,9.9)]:
    v = sg_integer(z,q,a) if a==int(a) else sg_fractional(z,q,a)
    out["subsampled_gaussian"].append({"noise":z,"q":q,"order":a,"rdp":float(mp.nstr(v,17))})
for e,a in [(1e-6,2),(1e-6,30),(1e-8,5),(1e-4,1.5),(1e-3,100),(0.5,4)]:
    out["laplace"].append({"epsilon":e,"order":a,"rdp":float(mp.nstr(laplace(e,a),17))})
    out["pure"].append({"epsilon":e,"order":a,"rdp":float(mp.nstr(binary_rr(e,a),17))})
orders=list(range(2,64))+[128,256,512,1024]
for z,q,T,d in [(1.49e8,0.5,10**12,1e-5),(1e7,0.5,10**12,1e-5),(1e6,0.5,10**12,1e-5)]:
    best=min(max(cks(T*sg_integer(z,q,a),a,d),0) for a in orders)
    out["dpsgd"].append({"noise":z,"q":q,"steps":T,"delta":d,"epsilon_integer_orders":float(mp.nstr(best,17))})
# One step of the Poisson-subsampled Gaussian under add/remove, exactly: the loss is monotone in
# x, so each direction's hockey stick is a half-line, delta = P(x > x*) - e^eps Q(x > x*).
from mpmath import ncdf
def one_step_delta(q, s, eps):
    q=mpf(q); s=mpf(s); E=exp(mpf(eps))
    d1 = d2 = mpf(0)
    xs = s**2*log((E-(1-q))/q)+mpf(1)/2          # P = (1-q)N(0,s^2)+qN(1,s^2) against Q = N(0,s^2)
    d1 = (1-q)*ncdf(-xs/s)+q*ncdf(-(xs-1)/s)-E*ncdf(-xs/s)
    if 1/E-(1-q) > 0:                            # Q against P
        xs = s**2*log((1/E-(1-q))/q)+mpf(1)/2
        d2 = ncdf(xs/s)-E*((1-q)*ncdf(xs/s)+q*ncdf((xs-1)/s))
    return max(d1, d2)
out["dpsgd_one_step"]=[]
for z,q,d in [(1e9,1e-9,1e-30),(1e9,1e-9,1e-300),(1e8,1e-8,1e-20),(1e3,1e-9,1e-30)]:
    lo, hi = mpf(0), mpf(1)
    for _ in range(300):
        mid=(lo+hi)/2
        if one_step_delta(q,z,mid) > mpf(d): lo=mid
        else: hi=mid
    out["dpsgd_one_step"].append({"noise":z,"q":q,"delta":d,"epsilon":float(mp.nstr(lo,17))})
out["source"] += "; one DP-SGD step under add/remove by its exact hockey stick (a half-line in x each way), bisection on epsilon"
print(json.dumps(out,indent=1))
